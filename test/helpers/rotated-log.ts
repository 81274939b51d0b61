/**
 * The harness of the rotation tests (guarantees-rotation*.test.ts): a followed log rotated as
 * logrotate does it while `produce --follow` is stopped, and the steps of one such test (follow,
 * stop, rotate, start again, drain, check every line once), for a file's live suite.
 */
import assert from 'node:assert/strict';
import { appendFile, copyFile, mkdir, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LiveSuite } from './live-suite.js';
import { runCli, waitFor } from './cli.js';
import { assertExactlyOnce, rawRowCount } from './stored-lines.js';
import { startLograbbit } from './processes.js';
import type { LongRunning } from './processes.js';
import type { Rotation } from './log-writer.js';

export const NO_ENRICHMENT = ['--no-geo', '--no-user-agent'];

/** One followed log: what was written to it, and logrotate's two ways of rotating it. */
export class RotatedLog {
  readonly lines: string[] = [];
  private serial = 0;

  constructor(
    readonly path: string,
    readonly source: string,
  ) {}

  /** `count` new unique access-log lines, as text to write. */
  make(count: number): string {
    const made: string[] = [];
    for (let index = 0; index < count; index++) {
      const n = this.serial++;
      made.push(
        `192.0.2.${n % 250} - - [02/Nov/2022:09:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')} +0000] "GET /${this.source}/${n} HTTP/1.1" 200 ${n}`,
      );
    }
    this.lines.push(...made);
    return made.map((line) => `${line}\n`).join('');
  }

  async append(count: number, path = this.path): Promise<void> {
    await appendFile(path, this.make(count));
  }

  /** As logrotate with `rotate 9`: access.log.N → access.log.N+1, newest last. */
  private async shift(): Promise<void> {
    for (let generation = 8; generation >= 1; generation--) {
      await rename(`${this.path}.${generation}`, `${this.path}.${generation + 1}`).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        },
      );
    }
  }

  async rotate(how: Rotation): Promise<void> {
    await this.shift();
    if (how === 'rename') {
      await rename(this.path, `${this.path}.1`);
      // The server writes to its open (renamed) file until it reopens its log.
      await this.append(40, `${this.path}.1`);
      await writeFile(this.path, '');
    } else {
      await copyFile(this.path, `${this.path}.1`);
      await truncate(this.path, 0);
    }
  }

  buffers(): Buffer[] {
    return this.lines.map((line) => Buffer.from(line));
  }
}

export function startProducer(
  suite: LiveSuite,
  log: RotatedLog,
  stateDir: string,
  metricsPort?: number,
  logLevel = 'warn',
): LongRunning {
  return startLograbbit(
    [
      'produce',
      '--follow',
      log.path,
      '--state-dir',
      stateDir,
      '--rotate-wait-ms',
      '300',
      '--no-progress',
      ...(metricsPort === undefined ? [] : ['--metrics-port', String(metricsPort)]),
    ],
    { env: { ...suite.services.env, LOG_LEVEL: logLevel } },
  );
}

export async function waitForRows(suite: LiveSuite, source: string, count: number): Promise<void> {
  await waitFor(
    `${count} rows of ${source} in raw_log`,
    async () => (await rawRowCount(suite.services, source)) >= count,
    30_000,
  );
}

/** Stops a process gracefully and checks that it exited 0. */
export async function stopCleanly(running: LongRunning, what: string): Promise<string> {
  const exit = await running.stop('SIGTERM');
  assert.equal(exit.code, 0, `${what} stops cleanly on SIGTERM:\n${exit.stderr}`);
  return exit.stdout + exit.stderr;
}

/** Follows `log` until its first lines are stored, stops the producer, and leaves it stopped. */
export async function followThenStop(suite: LiveSuite, log: RotatedLog, stateDir: string): Promise<void> {
  await log.append(300);
  const producer = startProducer(suite, log, stateDir);
  await waitForRows(suite, log.source, 300);
  await stopCleanly(producer, 'produce --follow');
}

export async function drainAndCheck(
  suite: LiveSuite,
  consumer: LongRunning,
  log: RotatedLog,
  expected: readonly Buffer[],
): Promise<void> {
  await stopCleanly(consumer, 'consume');
  const drained = await runCli(['consume', '--until-idle', ...NO_ENRICHMENT], { env: suite.services.env });
  assert.equal(drained.code, 0, drained.stderr);
  await assertExactlyOnce(suite.services, log.source, expected);
}

/**
 * Lines written while the producer is down: before the first rotation (after its checkpoint), into
 * the renamed file, and between and after the rotations; then a restart reads every generation.
 */
export async function rotatedWhileDown(suite: LiveSuite, rotations: readonly Rotation[]): Promise<void> {
  const source = `${rotations.map((how) => (how === 'rename' ? 'r' : 'c')).join('')}.log`;
  const dir = join(suite.dir, source.replace('.log', ''));
  await mkdir(dir);
  const log = new RotatedLog(join(dir, source), source);
  const stateDir = join(dir, 'state');
  const consumer = startLograbbit(['consume', ...NO_ENRICHMENT], { env: suite.services.env });
  await followThenStop(suite, log, stateDir);

  await log.append(200);
  for (const how of rotations) {
    await log.rotate(how);
    await log.append(200);
  }

  const producer = startProducer(suite, log, stateDir);
  await waitForRows(suite, log.source, log.lines.length);
  const output = await stopCleanly(producer, 'produce --follow');
  assert.doesNotMatch(output, /bytes lost/, 'nothing is lost when every generation is there');
  await drainAndCheck(suite, consumer, log, log.buffers());
}
