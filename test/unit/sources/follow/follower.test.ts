import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFile,
  copyFile,
  mkdtemp,
  readFile,
  rename,
  rm,
  truncate,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { eventIdOf } from '../../../../src/domain/index.js';
import { StreamSource } from '../../../../src/sources/index.js';
import { linesOf, sleep, sorted, startFollowing } from './follow-harness.js';
import type { Running } from './follow-harness.js';

let dir: string;
let stateDir: string;
let running: Running | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lograbbit-follow-'));
  stateDir = join(dir, 'state');
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await rm(dir, { recursive: true, force: true });
});

const text = (lines: readonly string[]): string => lines.map((line) => `${line}\n`).join('');

/** The event ids a one-off read of the file gives: a follower must give the same. */
async function idsOfWholeFile(path: string, source: string): Promise<string[]> {
  const ids: string[] = [];
  const content = await readFile(path);
  const batches = new StreamSource({
    name: path,
    source,
    batchLines: 100,
    batchBytes: 1 << 20,
    maxLineBytes: 4096,
    open: () => Readable.from([content]),
  }).batches();
  for await (const batch of batches) {
    for (const line of batch.lines) ids.push(eventIdOf(batch.streamId, line.offset).toString('hex'));
  }
  return ids;
}

describe('following one file', () => {
  test('bursts appended while following arrive once, with the event ids of a whole-file read', async () => {
    const path = join(dir, 'bursts.log');
    await writeFile(path, text(linesOf('a', 5)));
    running = await startFollowing({ patterns: [path], stateDir });
    await running.waitForLines(5);
    for (let burst = 1; burst <= 5; burst++) {
      await appendFile(path, text(linesOf(`b${burst}`, 7)));
      await sleep(15);
    }
    await running.waitForLines(40);
    await sleep(100);
    assert.equal(running.received.length, 40);
    assert.deepEqual(
      running.received.map((line) => line.eventId),
      await idsOfWholeFile(path, 'bursts.log'),
    );
    assert.ok(running.received.every((line) => line.source === 'bursts.log'));
  });

  test('a line written in two halves is sent once, whole, after its newline', async () => {
    const path = join(dir, 'halves.log');
    await writeFile(path, 'first line\nsecond ha');
    running = await startFollowing({ patterns: [path], stateDir });
    await running.waitForLines(1);
    await sleep(200);
    assert.deepEqual(
      running.received.map((line) => line.text),
      ['first line'],
      'the half line waits',
    );
    await appendFile(path, 'lf\n');
    await running.waitForLines(2);
    assert.deepEqual(running.received[1], {
      ...running.received[1],
      text: 'second half',
      offset: 11,
    });
  });

  test('a file that does not exist yet is followed once it appears', async () => {
    const path = join(dir, 'later', 'late.log');
    running = await startFollowing({ patterns: [path], stateDir });
    await sleep(100);
    await rm(join(dir, 'later'), { recursive: true, force: true });
    await import('node:fs/promises').then(({ mkdir }) => mkdir(join(dir, 'later')));
    await writeFile(path, text(linesOf('late', 4)));
    await running.waitForLines(4);
    assert.deepEqual(
      running.received.map((line) => line.text),
      linesOf('late', 4),
    );
  });

  test('--from end skips what is there, keeps the stream id of the whole file', async () => {
    const path = join(dir, 'from-end.log');
    await writeFile(path, `${text(linesOf('old', 3))}partial`);
    running = await startFollowing({ patterns: [path], stateDir, from: 'end' });
    await sleep(100);
    await appendFile(path, ` end\n${text(linesOf('new', 2))}`);
    await running.waitForLines(3);
    assert.deepEqual(
      running.received.map((line) => line.text),
      ['partial end', ...linesOf('new', 2)],
    );
    assert.deepEqual(
      running.received.map((line) => line.eventId),
      (await idsOfWholeFile(path, 'from-end.log')).slice(3),
    );
  });
});

describe('rotation', () => {
  test('rename and create: the old file is read to its end (a late write too), then the new one', async () => {
    const path = join(dir, 'rotate.log');
    await writeFile(path, text(linesOf('one', 4)));
    running = await startFollowing({ patterns: [path], stateDir, rotateWaitMs: 300 });
    await running.waitForLines(4);
    await rename(path, `${path}.1`);
    // The web server still writes to its open file until it reopens its log: these lines count.
    await appendFile(`${path}.1`, `${text(linesOf('late', 2))}no newline at the end`);
    await writeFile(path, text(linesOf('two', 3)));
    await running.waitForLines(10);
    await sleep(500);
    assert.deepEqual(
      sorted(running.received.map((line) => line.text)),
      sorted([...linesOf('one', 4), ...linesOf('late', 2), 'no newline at the end', ...linesOf('two', 3)]),
    );
    assert.ok(running.received.every((line) => line.source === 'rotate.log'));
    assert.equal(new Set(running.received.map((line) => line.eventId)).size, 10);
  });

  test('copytruncate: lines not yet read are taken from the copy, then the file is read from 0', async () => {
    const path = join(dir, 'copytruncate.log');
    await writeFile(path, text(linesOf('before', 5)));
    running = await startFollowing({ patterns: [path], stateDir, pollIntervalMs: 200 });
    await running.waitForLines(5);
    // Appended, copied and truncated within one poll: these lines are only in the copy.
    await appendFile(path, text(linesOf('unread', 3)));
    await copyFile(path, `${path}.1`);
    await truncate(path, 0);
    await appendFile(path, text(linesOf('after', 4)));
    await running.waitForLines(12);
    await sleep(300);
    assert.deepEqual(
      sorted(running.received.map((line) => line.text)),
      sorted([...linesOf('before', 5), ...linesOf('unread', 3), ...linesOf('after', 4)]),
    );
    assert.equal(new Set(running.received.map((line) => line.eventId)).size, 12);
  });

  test('counts blank and cut lines, and bytes read, over a truncation and a retired file', async () => {
    const path = join(dir, 'counted.log');
    const first = `kept\n\n${'x'.repeat(40)}\n  \n`;
    await writeFile(path, first);
    running = await startFollowing({ patterns: [path], stateDir, maxLineBytes: 16, pollIntervalMs: 50 });
    await running.waitForLines(2);
    await sleep(100);
    assert.deepEqual(
      { ...running.follower.counts, confirmed: 0 },
      {
        files: 1,
        lines: 2,
        blank: 2,
        truncated: 1,
        bytes: first.length,
        confirmed: 0,
        rotations: 0,
        truncations: 0,
        lostBytes: 0,
      },
    );
    await truncate(path, 0);
    const second = `${'y'.repeat(20)}\n\nafter\n`;
    await appendFile(path, second);
    await running.waitForLines(4);
    await sleep(100);
    const counts = running.follower.counts;
    assert.equal(counts.truncations, 1);
    assert.deepEqual(
      [counts.lines, counts.blank, counts.truncated, counts.bytes],
      [4, 3, 2, first.length + second.length],
    );
    await running.stop();
    running = undefined;
  });

  test('deleted and re-created: both generations arrive', async () => {
    const path = join(dir, 'recreate.log');
    await writeFile(path, text(linesOf('first', 3)));
    running = await startFollowing({ patterns: [path], stateDir });
    await running.waitForLines(3);
    await unlink(path);
    await sleep(50);
    await writeFile(path, text(linesOf('second', 3)));
    await running.waitForLines(6);
    assert.deepEqual(
      sorted(running.received.map((line) => line.text)),
      sorted([...linesOf('first', 3), ...linesOf('second', 3)]),
    );
  });

  test('a glob picks up new files and leaves compressed ones alone', async () => {
    await writeFile(join(dir, 'a.log'), text(linesOf('a', 2)));
    await writeFile(join(dir, 'old.log.1.gz'), text(linesOf('gz', 2)));
    running = await startFollowing({ patterns: [join(dir, '*.log*')], stateDir });
    await running.waitForLines(2);
    await writeFile(join(dir, 'b.log'), text(linesOf('b', 3)));
    await writeFile(join(dir, 'c.log.2.gz'), text(linesOf('gz', 2)));
    await running.waitForLines(5);
    await sleep(100);
    assert.deepEqual(
      sorted(running.received.map((line) => `${line.source}:${line.text}`)),
      sorted([
        ...linesOf('a', 2).map((line) => `a.log:${line}`),
        ...linesOf('b', 3).map((line) => `b.log:${line}`),
      ]),
    );
  });
});

describe('checkpoints', () => {
  test('a restart resumes just after the last confirmed line, in the same stream', async () => {
    const path = join(dir, 'resume.log');
    await writeFile(path, text(linesOf('one', 5)));
    running = await startFollowing({ patterns: [path], stateDir });
    await running.waitForLines(5);
    await running.stop();
    await appendFile(path, text(linesOf('two', 4)));
    running = await startFollowing({ patterns: [path], stateDir });
    await running.waitForLines(4);
    await sleep(100);
    assert.deepEqual(
      running.received.map((line) => line.text),
      linesOf('two', 4),
    );
    assert.deepEqual(
      running.received.map((line) => line.eventId),
      (await idsOfWholeFile(path, 'resume.log')).slice(5),
    );
  });

  test('unconfirmed batches are read again after a restart', async () => {
    const path = join(dir, 'unconfirmed.log');
    await writeFile(path, text(linesOf('x', 9)));
    running = await startFollowing({ patterns: [path], stateDir }, false);
    await running.waitForLines(9);
    const [first, second, third] = running.unconfirmed;
    assert.ok(first && second && third);
    running.follower.confirm(third);
    running.follower.confirm(first);
    await running.stop();
    running = await startFollowing({ patterns: [path], stateDir });
    await running.waitForLines(6);
    await sleep(100);
    assert.deepEqual(
      running.received.map((line) => line.text),
      linesOf('x', 6, 3),
      'the second batch was not confirmed: it and the third are read again',
    );
  });

  test('a file rotated while stopped is read to its end from its checkpoint', async () => {
    const path = join(dir, 'stopped.log');
    await writeFile(path, text(linesOf('one', 3)));
    running = await startFollowing({ patterns: [path], stateDir });
    await running.waitForLines(3);
    await running.stop();
    await appendFile(path, text(linesOf('unsent', 2)));
    await rename(path, `${path}.1`);
    await writeFile(path, text(linesOf('two', 2)));
    running = await startFollowing({ patterns: [path], stateDir });
    await running.waitForLines(4);
    await sleep(300);
    assert.deepEqual(
      sorted(running.received.map((line) => line.text)),
      sorted([...linesOf('unsent', 2), ...linesOf('two', 2)]),
    );
    assert.ok(running.received.every((line) => line.source === 'stopped.log'));
  });

  test('copied and truncated while stopped: the rest comes from the copy, the new content from 0', async () => {
    const path = join(dir, 'copied.log');
    await writeFile(path, text(linesOf('one', 3)));
    running = await startFollowing({ patterns: [path], stateDir });
    await running.waitForLines(3);
    await running.stop();
    await appendFile(path, text(linesOf('unsent', 2)));
    await copyFile(path, `${path}.1`);
    await writeFile(path, text(linesOf('two', 2)));
    running = await startFollowing({ patterns: [path], stateDir });
    await running.waitForLines(4);
    await sleep(300);
    assert.deepEqual(
      sorted(running.received.map((line) => line.text)),
      sorted([...linesOf('unsent', 2), ...linesOf('two', 2)]),
    );
  });
});
