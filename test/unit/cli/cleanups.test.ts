/** The stack of cleanups: reverse order, once each, the first error kept, the others logged. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { cleanups, withCleanups } from '../../../src/cli/cleanups.js';

/** A logger that keeps the messages it was given, with their error. */
function recordingLog(): { log: pino.Logger; lines: Array<{ msg: string; error?: string }> } {
  const lines: Array<{ msg: string; error?: string }> = [];
  const log = pino(
    { level: 'debug' },
    { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string; error?: string }) },
  );
  return { log, lines };
}

test('closes in reverse order of registration, each once', async () => {
  const { log } = recordingLog();
  const closed: string[] = [];
  const result = await withCleanups(log, async (resources) => {
    resources.defer(() => closed.push('broker'));
    const stopStore = resources.defer(() => Promise.resolve(closed.push('store')));
    resources.defer(() => closed.push('endpoints'));
    await stopStore();
    await stopStore();
    return 42;
  });
  assert.equal(result, 42);
  assert.deepEqual(closed, ['store', 'endpoints', 'broker']);
});

test("the body's error is thrown as it was; a failed close is logged and the rest still close", async () => {
  const { log, lines } = recordingLog();
  const closed: string[] = [];
  const failure = new RangeError('the body failed');
  await assert.rejects(
    withCleanups(log, (resources) => {
      resources.defer(() => closed.push('broker'));
      resources.defer(() => {
        throw new Error('store would not close');
      });
      return Promise.reject(failure);
    }),
    (error) => error === failure,
  );
  assert.deepEqual(closed, ['broker']);
  assert.deepEqual(
    lines.map((line) => [line.msg, line.error]),
    [['could not close cleanly; closing the rest', 'store would not close']],
  );
});

test('after a body that worked, the first failed close is thrown once all have run, the later logged', async () => {
  const { log, lines } = recordingLog();
  const closed: string[] = [];
  await assert.rejects(
    withCleanups(log, (resources) => {
      resources.defer(() => closed.push('broker'));
      resources.defer(() => Promise.reject(new Error('second')));
      resources.defer(() => Promise.reject(new Error('first')));
      return Promise.resolve();
    }),
    /first/,
  );
  assert.deepEqual(closed, ['broker']);
  assert.deepEqual(
    lines.map((line) => line.error),
    ['second'],
  );
});

test('a close run early throws to its caller, and the stack does not run it again', async () => {
  const { log } = recordingLog();
  const resources = cleanups(log);
  let runs = 0;
  const closeEarly = resources.defer(() => {
    runs += 1;
    throw new Error('early');
  });
  await assert.rejects(closeEarly(), /early/);
  await resources.close();
  assert.equal(runs, 1);
});

test('a close deferred again, over a later one, runs at its new place', async () => {
  const { log } = recordingLog();
  const closed: string[] = [];
  await withCleanups(log, (resources) => {
    const stopConsumers = resources.defer(() => closed.push('consumers'));
    resources.defer(() => closed.push('dashboard'));
    resources.defer(stopConsumers);
    return Promise.resolve();
  });
  assert.deepEqual(closed, ['consumers', 'dashboard']);
});
