/**
 * `run` following live files, with real files, real processes, the real broker and database: bursts
 * (identical lines among them, each its own row), a line in two halves, rename rotation,
 * copytruncate, deletion and re-creation, a file that does not exist yet, kill -9 between and during
 * rotations, several files of one glob. Each test ends with the exact comparison: the lines written
 * are the lines of raw_log (as a multiset), each stored once.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, copyFile, mkdir, rename, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { useLiveSuite } from '../helpers/live-suite.js';
import { runCli, waitFor } from '../helpers/cli.js';
import { assertExactlyOnce, rawRowCount } from '../helpers/stored-lines.js';
import { sleep, startLograbbit } from '../helpers/processes.js';
import type { LongRunning } from '../helpers/processes.js';

const suite = useLiveSuite('follow');

/** What a test wrote, line by line, per source. */
class Written {
  readonly lines = new Map<string, string[]>();
  private serial = 0;

  /** `count` new access-log lines of `source`, each unique. */
  make(source: string, count: number): string {
    const made: string[] = [];
    for (let index = 0; index < count; index++) {
      const n = this.serial++;
      made.push(
        `198.51.100.${n % 250} - - [01/Nov/2022:10:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')} +0000] "GET /${source}/${n} HTTP/1.1" 200 ${n}`,
      );
    }
    this.note(source, made);
    return made.map((line) => `${line}\n`).join('');
  }

  /** `line`, `times` times in a row: identical lines, each at its own offset, each its own row. */
  same(source: string, line: string, times: number): string {
    const lines = Array.from({ length: times }, () => line);
    this.note(source, lines);
    return lines.map((each) => `${each}\n`).join('');
  }

  note(source: string, lines: readonly string[]): void {
    this.lines.set(source, [...(this.lines.get(source) ?? []), ...lines]);
  }

  count(source: string): number {
    return this.lines.get(source)?.length ?? 0;
  }

  buffers(source: string): Buffer[] {
    return (this.lines.get(source) ?? []).map((line) => Buffer.from(line));
  }
}

function startRun(paths: readonly string[], stateDir: string, extra: readonly string[] = []): LongRunning {
  return startLograbbit(
    [
      'run',
      ...paths,
      '--state-dir',
      stateDir,
      '--rotate-wait-ms',
      '300',
      '--no-geo',
      '--no-user-agent',
      ...extra,
    ],
    { env: suite.services.env },
  );
}

async function waitForRows(source: string, count: number): Promise<void> {
  await waitFor(
    `${count} rows of ${source} in raw_log`,
    async () => (await rawRowCount(suite.services, source)) >= count,
  );
}

/** Stops `run` gracefully, stores what is still queued, then compares exactly. */
async function finish(running: LongRunning, written: Written, sources: readonly string[]): Promise<void> {
  for (const source of sources) await waitForRows(source, written.count(source));
  const exit = await running.stop('SIGTERM');
  assert.equal(exit.code, 0, `run stops cleanly on SIGTERM:\n${exit.stderr}`);
  if (/stopped before every published line was stored/.test(exit.stderr)) {
    const drained = await runCli(['consume', '--until-idle', '--no-geo', '--no-user-agent'], {
      env: suite.services.env,
    });
    assert.equal(drained.code, 0, drained.stderr);
  }
  for (const source of sources) await assertExactlyOnce(suite.services, source, written.buffers(source));
}

describe('run following files', () => {
  test('bursts appended while it runs, identical lines among them, and a line written in two halves', async () => {
    const path = join(suite.dir, 'bursts.log');
    const written = new Written();
    // The same request in the same second (a health check): identical lines at different offsets.
    const same = '10.0.0.7 - - [01/Nov/2022:10:00:00 +0000] "GET /health HTTP/1.1" 200 2';
    await writeFile(path, written.make('bursts.log', 50) + written.same('bursts.log', same, 2));
    const running = startRun([path], join(suite.dir, 'state-bursts'));
    for (let burst = 0; burst < 8; burst++) {
      await appendFile(
        path,
        written.make('bursts.log', 120) +
          written.same('bursts.log', same, 3) +
          written.make('bursts.log', 130),
      );
      await sleep(60);
    }
    await waitForRows('bursts.log', written.count('bursts.log'));
    const half =
      '203.0.113.9 - - [01/Nov/2022:11:00:00 +0000] "GET /written-in-two-halves HTTP/1.1" 200 1234';
    await appendFile(path, half.slice(0, 40));
    await sleep(700);
    assert.equal(
      await rawRowCount(suite.services, 'bursts.log'),
      written.count('bursts.log'),
      'the half line waits',
    );
    await appendFile(path, `${half.slice(40)}\n`);
    written.note('bursts.log', [half]);
    assert.equal(written.lines.get('bursts.log')?.filter((line) => line === same).length, 26);
    await finish(running, written, ['bursts.log']);
  });

  test('rename rotation, the server writing to the renamed file a moment longer', async () => {
    const path = join(suite.dir, 'rename.log');
    const written = new Written();
    await writeFile(path, written.make('rename.log', 500));
    const running = startRun([path], join(suite.dir, 'state-rename'));
    await waitForRows('rename.log', 100);
    await rename(path, `${path}.1`);
    await appendFile(`${path}.1`, written.make('rename.log', 200));
    await writeFile(path, written.make('rename.log', 300));
    await sleep(100);
    await appendFile(path, written.make('rename.log', 300));
    await finish(running, written, ['rename.log']);
  });

  test('copytruncate, with lines appended just before the copy', async () => {
    const path = join(suite.dir, 'copytruncate.log');
    const written = new Written();
    await writeFile(path, written.make('copytruncate.log', 400));
    const running = startRun([path], join(suite.dir, 'state-copytruncate'), ['--poll-interval-ms', '500']);
    await waitForRows('copytruncate.log', 400);
    await appendFile(path, written.make('copytruncate.log', 100));
    await copyFile(path, `${path}.1`);
    await truncate(path, 0);
    await appendFile(path, written.make('copytruncate.log', 250));
    await finish(running, written, ['copytruncate.log']);
  });

  test('a file that does not exist yet, then deleted and created again', async () => {
    const sub = join(suite.dir, 'not-yet');
    const path = join(sub, 'recreated.log');
    const written = new Written();
    const running = startRun([path], join(suite.dir, 'state-recreated'));
    await sleep(1500);
    await mkdir(sub);
    await writeFile(path, written.make('recreated.log', 300));
    await waitForRows('recreated.log', 300);
    await unlink(path);
    await sleep(200);
    await writeFile(path, written.make('recreated.log', 300));
    await finish(running, written, ['recreated.log']);
  });

  test('kill -9 between rotations and during one, restarted each time', async () => {
    const path = join(suite.dir, 'killed.log');
    const stateDir = join(suite.dir, 'state-killed');
    const slow = ['--batch-lines', '5', '--publish-window', '2'];
    const written = new Written();
    await writeFile(path, written.make('killed.log', 3000));
    let running = startRun([path], stateDir, slow);
    await waitForRows('killed.log', 200);
    running.kill('SIGKILL');
    await running.exited;
    // Rotated while stopped: the server went on writing to the renamed file, then a new one.
    await rename(path, `${path}.1`);
    await appendFile(`${path}.1`, written.make('killed.log', 200));
    await writeFile(path, written.make('killed.log', 3000));
    running = startRun([path], stateDir, slow);
    await waitForRows('killed.log', 3500);
    // Killed while a rotation is under way: renamed, the new file not there yet.
    await rename(`${path}.1`, `${path}.2`);
    await rename(path, `${path}.1`);
    running.kill('SIGKILL');
    await running.exited;
    await appendFile(`${path}.1`, written.make('killed.log', 100));
    running = startRun([path], stateDir, slow);
    await sleep(500);
    await writeFile(path, written.make('killed.log', 500));
    await finish(running, written, ['killed.log']);
  });

  test('several files matched by one glob, new ones too; compressed ones left alone', async () => {
    const sub = join(suite.dir, 'glob');
    await mkdir(sub);
    const written = new Written();
    await writeFile(join(sub, 'one.log'), written.make('one.log', 200));
    await writeFile(join(sub, 'two.log'), written.make('two.log', 200));
    await writeFile(join(sub, 'old.log.1.gz'), gzipSync(new Written().make('old.log.1.gz', 50)));
    const running = startRun([join(sub, '*.log*')], join(suite.dir, 'state-glob'));
    await waitForRows('one.log', 200);
    await writeFile(join(sub, 'three.log'), written.make('three.log', 200));
    await appendFile(join(sub, 'one.log'), written.make('one.log', 100));
    await writeFile(join(sub, 'older.log.2.gz'), gzipSync(new Written().make('older.log.2.gz', 50)));
    await finish(running, written, ['one.log', 'two.log', 'three.log']);
    assert.equal(await rawRowCount(suite.services, 'old.log.1.gz'), 0);
    assert.equal(await rawRowCount(suite.services, 'older.log.2.gz'), 0);
  });
});
