/**
 * The promise through logrotate while the producer is down: `produce --follow` is stopped, the log is
 * rotated two or three times (rename and create, copytruncate, and mixes of both, as logrotate does
 * them: older generations shifted first), with lines written before, between and after the
 * rotations; then `produce --follow` starts again. Every line written must end up exactly once in
 * raw_log and once in clean_log or rejected_log. A generation compressed before it was read is a gap
 * that cannot be closed: it is said once, as a warning and as `lograbbit_follow_lost_bytes_total`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFile,
  copyFile,
  mkdir,
  readFile,
  rename,
  stat,
  truncate,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { useLiveSuite } from '../helpers/live-suite.js';
import { runCli, waitFor } from '../helpers/cli.js';
import { assertExactlyOnce, rawRowCount } from '../helpers/stored-lines.js';
import { freePort, startLograbbit } from '../helpers/processes.js';
import type { LongRunning } from '../helpers/processes.js';

const suite = useLiveSuite('guarantees_rotation');
const NO_ENRICHMENT = ['--no-geo', '--no-user-agent'];

type Rotation = 'rename' | 'copytruncate';

/** One followed log: what was written to it, and logrotate's two ways of rotating it. */
class RotatedLog {
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

function startProducer(
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

async function waitForRows(source: string, count: number): Promise<void> {
  await waitFor(
    `${count} rows of ${source} in raw_log`,
    async () => (await rawRowCount(suite.services, source)) >= count,
    30_000,
  );
}

/** Stops a process gracefully and checks that it exited 0. */
async function stopCleanly(running: LongRunning, what: string): Promise<string> {
  const exit = await running.stop('SIGTERM');
  assert.equal(exit.code, 0, `${what} stops cleanly on SIGTERM:\n${exit.stderr}`);
  return exit.stdout + exit.stderr;
}

/** Follows `log` until its first lines are stored, stops the producer, and leaves it stopped. */
async function followThenStop(log: RotatedLog, stateDir: string): Promise<void> {
  await log.append(300);
  const producer = startProducer(log, stateDir);
  await waitForRows(log.source, 300);
  await stopCleanly(producer, 'produce --follow');
}

async function drainAndCheck(
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
async function rotatedWhileDown(rotations: readonly Rotation[]): Promise<void> {
  const source = `${rotations.map((how) => (how === 'rename' ? 'r' : 'c')).join('')}.log`;
  const dir = join(suite.dir, source.replace('.log', ''));
  await mkdir(dir);
  const log = new RotatedLog(join(dir, source), source);
  const stateDir = join(dir, 'state');
  const consumer = startLograbbit(['consume', ...NO_ENRICHMENT], { env: suite.services.env });
  await followThenStop(log, stateDir);

  await log.append(200);
  for (const how of rotations) {
    await log.rotate(how);
    await log.append(200);
  }

  const producer = startProducer(log, stateDir);
  await waitForRows(log.source, log.lines.length);
  const output = await stopCleanly(producer, 'produce --follow');
  assert.doesNotMatch(output, /bytes lost/, 'nothing is lost when every generation is there');
  await drainAndCheck(consumer, log, log.buffers());
}

describe('rotated while the producer is down', () => {
  for (const rotations of [
    ['rename', 'rename'],
    ['copytruncate', 'copytruncate'],
    ['rename', 'copytruncate'],
    ['copytruncate', 'rename'],
    ['rename', 'rename', 'rename'],
    ['copytruncate', 'copytruncate', 'copytruncate'],
    ['rename', 'copytruncate', 'rename'],
    ['copytruncate', 'rename', 'copytruncate'],
  ] as const) {
    test(`${rotations.join(' then ')}: every generation is read, every line stored once`, () =>
      rotatedWhileDown(rotations));
  }

  test('a generation compressed before it was read: its bytes are said lost, once, the rest stored once', async () => {
    const dir = join(suite.dir, 'compressed');
    await mkdir(dir);
    const log = new RotatedLog(join(dir, 'gz.log'), 'gz.log');
    const stateDir = join(dir, 'state');
    const consumer = startLograbbit(['consume', ...NO_ENRICHMENT], { env: suite.services.env });
    await followThenStop(log, stateDir);
    const confirmedBytes = (await stat(log.path)).size;

    // While down: lines written to the checkpointed file, two renames, and the older generation
    // compressed by logrotate (`compress` without `delaycompress`): its unread lines are gone.
    await log.append(200);
    await log.rotate('rename');
    await log.append(200);
    await log.rotate('rename');
    const oldest = `${log.path}.2`;
    const content = await readFile(oldest);
    await writeFile(`${oldest}.gz`, gzipSync(content));
    await unlink(oldest);
    const lostBytes = content.length - confirmedBytes;
    const lostLines = content.subarray(confirmedBytes).toString().split('\n').filter(Boolean);
    await log.append(200);

    const metricsPort = await freePort();
    const producer = startProducer(log, stateDir, metricsPort);
    const expected = log.lines.filter((line) => !lostLines.includes(line));
    await waitForRows(log.source, expected.length);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(metrics, new RegExp(`^lograbbit_follow_lost_bytes_total ${lostBytes}$`, 'm'));
    const output = await stopCleanly(producer, 'produce --follow');
    const warnings = output.split('\n').filter((line) => /bytes lost/.test(line));
    assert.equal(warnings.length, 1, `one warning:\n${output}`);
    assert.match(warnings[0] ?? '', new RegExp(`"lostBytes":${lostBytes}\\b`));

    // Said once: a second start finds nothing new to say.
    const again = startProducer(log, stateDir, undefined, 'info');
    // The catch-up comes before the followed file is opened: once that is said, the warning would be too.
    await waitFor(
      'the second start to open the log',
      () => /"msg":"following: /.test(again.stderr()),
      15_000,
    );
    assert.doesNotMatch(await stopCleanly(again, 'produce --follow'), /bytes lost/);
    await drainAndCheck(
      consumer,
      log,
      expected.map((line) => Buffer.from(line)),
    );
  });
});
