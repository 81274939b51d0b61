/**
 * The start-up catch-up of generations rotated while stopped, with a real follower on real files:
 * generations read oldest first, older files left alone, `--from end` not skipping a generation
 * written while stopped, and a file read to its end deleted later without a word.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { appendFile, copyFile, mkdtemp, rename, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { linesOf, sleep, startFollowing } from './follow-harness.js';
import type { Running } from './follow-harness.js';

let dir: string;
let stateDir: string;
let running: Running | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lograbbit-generations-'));
  stateDir = join(dir, 'state');
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await rm(dir, { recursive: true, force: true });
});

const text = (lines: readonly string[]): string => lines.map((line) => `${line}\n`).join('');

/** A logger whose warnings the test reads. */
function capturedLog(): { log: pino.Logger; warnings: string[] } {
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const record = JSON.parse(chunk.toString()) as { level: number; msg: string };
      if (record.level >= 40) warnings.push(record.msg);
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), warnings };
}

async function followUntil(path: string, lines: number): Promise<void> {
  running = await startFollowing({ patterns: [path], stateDir });
  await running.waitForLines(lines);
  await running.stop();
  running = undefined;
}

test('rename, copytruncate, rename while stopped: every generation, oldest first, in order', async () => {
  const path = join(dir, 'order.log');
  await writeFile(path, text(linesOf('seen', 3)));
  await followUntil(path, 3);
  await appendFile(path, text(linesOf('a', 4)));
  await rename(path, `${path}.1`);
  await writeFile(path, text(linesOf('b', 5)));
  await rename(`${path}.1`, `${path}.2`);
  await copyFile(path, `${path}.1`);
  await truncate(path, 0);
  await appendFile(path, text(linesOf('c', 6)));
  await rename(`${path}.2`, `${path}.3`);
  await rename(`${path}.1`, `${path}.2`);
  await rename(path, `${path}.1`);
  await writeFile(path, text(linesOf('d', 7)));

  const { log, warnings } = capturedLog();
  running = await startFollowing({ patterns: [path], stateDir, log });
  await running.waitForLines(22);
  await sleep(200);
  assert.deepEqual(
    running.received.map((line) => line.text),
    [...linesOf('a', 4), ...linesOf('b', 5), ...linesOf('c', 6), ...linesOf('d', 7)],
  );
  assert.ok(running.received.every((line) => line.source === 'order.log'));
  assert.deepEqual(warnings, []);
});

test('generations older than the checkpointed file are left alone', async () => {
  const path = join(dir, 'older.log');
  await writeFile(`${path}.2`, text(linesOf('before lograbbit', 3)));
  await writeFile(`${path}.1`, text(linesOf('also before', 3)));
  await writeFile(path, text(linesOf('seen', 2)));
  await followUntil(path, 2);
  await appendFile(path, text(linesOf('new', 2)));
  await rename(`${path}.2`, `${path}.3`);
  await rename(`${path}.1`, `${path}.2`);
  await rename(path, `${path}.1`);
  await writeFile(path, text(linesOf('next', 2)));
  running = await startFollowing({ patterns: [path], stateDir });
  await running.waitForLines(4);
  await sleep(300);
  assert.deepEqual(
    running.received.map((line) => line.text),
    [...linesOf('new', 2), ...linesOf('next', 2)],
  );
});

test('--from end: a file created at a followed path while stopped is read from its start', async () => {
  const path = join(dir, 'from-end.log');
  await writeFile(path, text(linesOf('old', 2)));
  running = await startFollowing({ patterns: [path], stateDir, from: 'end' });
  await sleep(150);
  await appendFile(path, text(linesOf('seen', 2)));
  await running.waitForLines(2);
  await running.stop();
  await rename(path, `${path}.1`);
  await writeFile(path, text(linesOf('written while stopped', 3)));
  running = await startFollowing({ patterns: [path], stateDir, from: 'end' });
  await running.waitForLines(3);
  await sleep(200);
  assert.deepEqual(
    running.received.map((line) => line.text),
    linesOf('written while stopped', 3),
  );
});

test('a rotated file read to its end and deleted while stopped is no loss; one not read to its end is', async () => {
  const path = join(dir, 'deleted.log');
  await writeFile(path, text(linesOf('one', 3)));
  running = await startFollowing({ patterns: [path], stateDir, rotateWaitMs: 50 });
  await running.waitForLines(3);
  await rename(path, `${path}.1`);
  await writeFile(path, text(linesOf('two', 3)));
  await running.waitForLines(6);
  // Quiet for the rotate wait: the renamed file is ended and its checkpoint says it was read through.
  await sleep(400);
  await running.stop();
  await unlink(`${path}.1`);
  await appendFile(path, text(linesOf('unsent', 2)));
  await rename(path, `${path}.1`);
  await writeFile(path, text(linesOf('three', 2)));

  let captured = capturedLog();
  running = await startFollowing({ patterns: [path], stateDir, log: captured.log });
  await running.waitForLines(4);
  assert.deepEqual(captured.warnings, [], 'the file read to its end went without a word');
  await running.stop();
  // The followed file itself deleted while stopped: what was written to it since is unknown.
  captured = capturedLog();
  await rm(path);
  running = await startFollowing({ patterns: [path], stateDir, log: captured.log });
  // Its first look at the path says it; on a loaded machine that can take more than a moment.
  for (const deadline = Date.now() + 10_000; captured.warnings.length === 0 && Date.now() < deadline;) {
    await sleep(50);
  }
  await sleep(200);
  assert.equal(captured.warnings.length, 1, captured.warnings.join('\n'));
  assert.match(captured.warnings[0] ?? '', /gone and was not read to its end/);
  assert.equal(running.follower.counts.lostBytes, 0, 'how many is unknown: not counted');
});
