/**
 * The stop signals, in a child process of their own (a signal is process-wide): the first asks for a
 * graceful stop, the same signal again at once (a terminal's Ctrl-C forwarded by npm) changes nothing,
 * and a second request after `SAME_REQUEST_MS` exits at once with 130.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SAME_REQUEST_MS } from '../../../src/cli/shutdown.js';

const SHUTDOWN = new URL('../../../src/cli/shutdown.ts', import.meta.url).href;

/** Runs a child that listens for shutdown, then signals itself at each of `atMs`. */
function signalled(atMs: readonly number[]): { code: number | null; stdout: string } {
  const script = `
    import pino from 'pino';
    import { listenForShutdown } from ${JSON.stringify(SHUTDOWN)};
    const stopping = listenForShutdown(pino({ level: 'silent' }));
    stopping.addEventListener('abort', () => console.log('stopping'));
    for (const at of ${JSON.stringify(atMs)}) setTimeout(() => process.kill(process.pid, 'SIGINT'), at);
    setTimeout(() => console.log('still running'), ${Math.max(...atMs) + 300});
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: child.status, stdout: child.stdout };
}

test('the same signal twice at once is one request: a graceful stop', () => {
  const child = signalled([0, 20]);
  assert.equal(child.stdout, 'stopping\nstill running\n');
  assert.equal(child.code, 0);
});

test('a second request, later, exits at once with 130', () => {
  const child = signalled([0, SAME_REQUEST_MS + 200]);
  assert.equal(child.stdout, 'stopping\n');
  assert.equal(child.code, 130);
});
