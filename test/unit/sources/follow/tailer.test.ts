/**
 * The tailer against file changes that land between its own reads: a real file, with a handle that
 * truncates it at a chosen moment, so that an interleaving CI once hit by chance happens every time.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, truncateSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tailer } from '../../../../src/sources/follow/tailer.js';

let dir: string;
let handle: FileHandle | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lograbbit-tailer-'));
});

afterEach(async () => {
  await handle?.close();
  handle = undefined;
  await rm(dir, { recursive: true, force: true });
});

const settings = {
  batchLines: 1,
  batchBytes: 1 << 20,
  maxLineBytes: 4096,
  readChunkBytes: 1 << 20,
  now: Date.now,
};

/** A handle on `path` that runs `after` once, right after the first read at `position` returns. */
function handleRunningAfterReadAt(real: FileHandle, position: number, after: () => void): FileHandle {
  let done = false;
  return new Proxy(real, {
    get(target, property, receiver) {
      if (property === 'read') {
        // The tailer reads only with (buffer, offset, length, position).
        return async (buffer: Buffer, offset: number, length: number, at: number) => {
          const result = await target.read(buffer, offset, length, at);
          if (!done && at === position) {
            done = true;
            after();
          }
          return result;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

test('a copytruncate between reading new bytes and growing the fingerprint is still seen', async () => {
  const path = join(dir, 'access.log');
  const before = 'before line 0\nbefore line 1\n';
  const unread = 'unread line 0\n';
  await writeFile(path, before);
  const real = await open(path, 'r');
  handle = real;
  // The web server appends, then logrotate truncates the file just after the tailer read the new bytes
  // and before it looked at the head again: the head it sees then is empty.
  const tailer = await Tailer.open(
    handleRunningAfterReadAt(real, before.length, () => truncateSync(path, 0)),
    { path, source: 'access.log', offset: 0 },
    settings,
  );
  const first = await tailer.read();
  assert.deepEqual(
    first.batches.flatMap(({ batch }) => batch.lines.map((line) => line.bytes.toString())),
    ['before line 0', 'before line 1'],
  );
  appendFileSync(path, unread);
  const second = await tailer.read();
  assert.deepEqual(
    second.batches.flatMap(({ batch }) => batch.lines.map((line) => line.bytes.toString())),
    ['unread line 0'],
  );
  appendFileSync(path, 'after line 0\n');
  assert.equal(await tailer.rewritten(), true, 'the truncation must be noticed');
  await tailer.restartTruncated();
  const third = await tailer.read();
  assert.deepEqual(
    third.batches.flatMap(({ batch }) => batch.lines.map((line) => line.bytes.toString())),
    ['after line 0'],
  );
});

test('a fingerprint grows with the file while its head is unchanged', async () => {
  const path = join(dir, 'access.log');
  await writeFile(path, 'a\n');
  handle = await open(path, 'r');
  const tailer = await Tailer.open(handle, { path, source: 'access.log', offset: 0 }, settings);
  assert.equal(tailer.fingerprint.bytes, 2);
  appendFileSync(path, 'b\n');
  await tailer.read();
  assert.equal(tailer.fingerprint.bytes, 4);
  assert.equal(await tailer.rewritten(), false);
});
