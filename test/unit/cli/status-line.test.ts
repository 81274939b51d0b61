/** The live status line: its lag is of this process's lines, and never shown negative. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStatusLine } from '../../../src/cli/status-line.js';
import { createLogger } from '../../../src/telemetry/index.js';
import type { StatusSample } from '../../../src/cli/status-line.js';

/** The text of the first line drawn on a (pretend) terminal for `sample`. */
async function drawn(sample: StatusSample): Promise<string> {
  const written: string[] = [];
  const stream = { isTTY: true, columns: 200, write: (text: string) => written.push(text) > 0 };
  const status = startStatusLine(() => sample, {
    log: createLogger('silent'),
    enabled: true,
    stream: stream as unknown as NodeJS.WriteStream,
  });
  while (written.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  status.stop();
  return written[0] ?? '';
}

test('the lag is the lines read and not yet stored', async () => {
  assert.match(await drawn({ read: 1000, published: 990, stored: 900 }), /stored 900 {2}lag 100 lines/);
});

test('a count of stored lines ahead of the lines read shows no lag, never a negative one', async () => {
  const text = await drawn({ read: 109, published: 109, stored: 306 });
  assert.match(text, /lag 0 lines/);
  assert.doesNotMatch(text, /lag -/);
});
