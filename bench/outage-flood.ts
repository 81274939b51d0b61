/**
 * A flood with the database away: `lograbbit consume` running, `lograbbit produce` of N simulated
 * lines, and the consumer's path to MariaDB cut (a TCP proxy in front of it refuses and drops every
 * connection) some seconds in, for a minute by default. The machine's own MariaDB is never stopped.
 * Checks that every line ends with exactly one raw row and one clean or rejected row, and reports the
 * consumer's and the producer's peak RSS (VmHWM, read from /proc every 500 ms and at the end), the
 * consumer's RSS while the database was away, and the warnings it logged.
 *
 *   npm run build && npx tsx bench/outage-flood.ts [--lines 2000000] [--cut-after 8] [--outage 60]
 *
 * Not part of `npm run bench` (it takes minutes, most of them waiting): run it after changing the
 * consumer's store path, batching or prefetch. Figures go in bench/RESULTS.md.
 *
 * The processes run on the Node that runs this script (`process.execPath`: put another Node first in
 * PATH to measure it), with the launchers' flags. FLOOD_NODE_FLAGS adds flags to the consumer's only
 * (space-separated, e.g. `--trace-pretenuring`), for looking into its memory; its stdout (where V8
 * traces) then goes to the file FLOOD_CONSUMER_STDOUT names, or to this script's stderr. A file
 * loses nothing: a pipe is non-blocking, and V8 drops what does not fit in it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RowDataPacket } from 'mysql2';
import { createTestServices } from '../test/helpers/services.js';
import { startTcpProxy } from '../test/helpers/tcp-proxy.js';
import { storedCounts } from '../test/helpers/stored-lines.js';
import { writeSimulatedLog } from './scenarios/input.js';
import { COMPILED_CLI, NODE_FLAGS } from './scenarios/end-to-end.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '2000000' },
    'cut-after': { type: 'string', default: '8' },
    outage: { type: 'string', default: '60' },
  },
});
const lines = Number(values.lines);
const cutAfterMs = Number(values['cut-after']) * 1000;
const outageMs = Number(values.outage) * 1000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const say = (text: string): void => void process.stderr.write(`${new Date().toISOString()} ${text}\n`);

/** VmHWM and VmRSS of a process, in MB (10^6 bytes); 0 once it is gone. */
async function memoryOf(pid: number | undefined): Promise<{ peak: number; now: number }> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { peak: (kb('VmHWM') * 1024) / 1e6, now: (kb('VmRSS') * 1024) / 1e6 };
  } catch {
    return { peak: 0, now: 0 };
  }
}

const extraConsumerFlags = (process.env.FLOOD_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const traceFile = process.env.FLOOD_CONSUMER_STDOUT;

function lograbbit(
  args: readonly string[],
  env: Record<string, string>,
  extraFlags: readonly string[] = [],
): ChildProcess {
  const stdout = extraFlags.length === 0 ? 'ignore' : traceFile ? openSync(traceFile, 'w') : 'pipe';
  const child = spawn(process.execPath, [...NODE_FLAGS, ...extraFlags, COMPILED_CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', stdout, 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return child;
}

const services = await createTestServices('flood');
const dir = await mkdtemp(join(os.tmpdir(), 'lograbbit-flood-'));
const proxy = await startTcpProxy(Number(services.env.DB_PORT ?? 3306));
// Stopped whatever ends the run: a consumer left behind would retry against a vhost torn down.
const children: ChildProcess[] = [];
try {
  say(`flood: ${lines} simulated lines, Node ${process.version}`);
  const input = await writeSimulatedLog(join(dir, 'flood.log'), lines, 'combined');
  const setup = lograbbit(['setup'], services.env);
  await new Promise((resolve) => setup.on('exit', resolve));

  const consumerEnv = { ...services.env, DB_PORT: String(proxy.port), LOG_LEVEL: 'warn' };
  const consumer = lograbbit(['consume', '--no-setup'], consumerEnv, extraConsumerFlags);
  children.push(consumer);
  let warnings = '';
  consumer.stderr?.on('data', (chunk: Buffer) => (warnings += chunk.toString('utf8')));
  // A consumer gone before the end (it exits with code 3 when the database is away at its start)
  // ends the run at once, saying why, rather than after the wait for rows below.
  let consumerGone: string | undefined;
  consumer.on('exit', (code) => {
    consumerGone = `the consumer exited early with code ${code}: ${warnings.trim().split('\n').slice(-3).join('\n')}`;
  });
  await sleep(3000);
  const startedAt = performance.now();
  const producer = lograbbit(['produce', input.path, '--source', 'flood.log'], services.env);
  children.push(producer);
  const produced = new Promise<number | null>((resolve) => producer.on('exit', resolve));

  let consumerPeak = 0;
  let producerPeak = 0;
  const rssWhileAway: number[] = [];
  let away = false;
  const poll = setInterval(() => {
    void memoryOf(consumer.pid).then(({ peak, now }) => {
      consumerPeak = Math.max(consumerPeak, peak);
      if (away) rssWhileAway.push(now);
    });
    void memoryOf(producer.pid).then(({ peak }) => (producerPeak = Math.max(producerPeak, peak)));
  }, 500);

  await sleep(cutAfterMs);
  // On a busy machine the consumer may not have stored a line yet: a cut then would be an outage at
  // its start, not one of its writes.
  let before = await storedCounts(services, 'flood.log');
  while (before.raw === 0) {
    if (consumerGone !== undefined) throw new Error(consumerGone);
    await sleep(500);
    before = await storedCounts(services, 'flood.log');
  }
  say(`flood: cutting the database off (raw rows so far: ${before.raw})`);
  proxy.cut();
  away = true;
  await sleep(outageMs);
  away = false;
  proxy.restore();
  say('flood: database back');
  const producerCode = await produced;
  say(`flood: producer exited ${producerCode}`);

  // Cheap counts while waiting (the full check's anti-joins over millions of rows would slow down
  // what it waits for), the full check once at the end.
  const sql = await services.sql();
  const rowsIn = async (table: string): Promise<number> => {
    const [[row]] = await sql.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
    return Number(row?.n);
  };
  while (
    (await rowsIn('raw_log')) < lines ||
    (await rowsIn('clean_log')) + (await rowsIn('rejected_log')) < lines
  ) {
    // Minutes on a quiet machine; a machine shared with other floods and test suites took over 30.
    if (performance.now() - startedAt > 60 * 60_000) throw new Error('not all stored after 60 minutes');
    if (consumerGone !== undefined) throw new Error(consumerGone);
    await sleep(5000);
  }
  const seconds = (performance.now() - startedAt) / 1000;
  await sleep(2000); // a redelivery that would double a row has its chance to show
  const counts = await storedCounts(services, 'flood.log');
  consumerPeak = Math.max(consumerPeak, (await memoryOf(consumer.pid)).peak);
  clearInterval(poll);
  consumer.kill('SIGTERM');
  const consumerCode = await new Promise<number | null>((resolve) => consumer.on('exit', resolve));
  const warningLines = warnings.split('\n').filter((line) => line.includes('"level":40'));
  const report = {
    lines,
    cutAfterSeconds: cutAfterMs / 1000,
    outageSeconds: outageMs / 1000,
    ...counts,
    exact: counts.raw === lines && counts.clean + counts.rejected === lines && counts.inBoth === 0,
    node: process.version,
    seconds: Math.round(seconds),
    linesPerSecond: Math.round(lines / seconds),
    producerExit: producerCode,
    consumerExit: consumerCode,
    producerPeakMB: Math.round(producerPeak),
    consumerPeakMB: Math.round(consumerPeak),
    consumerRssWhileAwayMB: rssWhileAway.length
      ? [Math.round(Math.min(...rssWhileAway)), Math.round(Math.max(...rssWhileAway))]
      : [],
    consumerWarnings: warningLines.length,
    warningMessages: [...new Set(warningLines.map((line) => /"msg":"([^"]*)"/.exec(line)?.[1]))],
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (!report.exact) process.exitCode = 1;
} finally {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await proxy.close();
  await services.teardown();
  await rm(dir, { recursive: true, force: true });
}
