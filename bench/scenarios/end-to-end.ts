/**
 * Scenario: the whole pipeline as users run it — `lograbbit consume` processes (one or more) and a
 * `lograbbit produce` of the file, from the producer's start until every line has its raw row and
 * its clean or rejected row committed. Peak RSS of each process is read from /proc (VmHWM).
 *
 * The clock starts when the producer read its first line (the earliest `received_at` of raw_log,
 * which is when the producer read each batch), not when its process was spawned: the figure is the
 * pipeline's throughput, so neither side's start-up counts (the consumers are started, and given 3 s
 * to connect, before the producer). The process start-up is reported apart as `startupSeconds`.
 *
 * The processes run the compiled build (`dist/`, which `npm run bench` brings up to date first), as
 * the Docker image does. From a clone, `bin/lograbbit.js` runs the sources through tsx instead,
 * whose loader thread (a second V8 isolate) adds about 42 MB to each process and a second of
 * start-up; those figures are not the product's.
 *
 * The end is seen in the consumers' own `/metrics` (rows committed, per table), and then checked
 * with exact COUNT(*)s. Counting the tables themselves every 100 ms, as this scenario first did, cost
 * MariaDB a large share of a core by the end of the run: the benchmark was slowing down what it
 * measured. For the same reason the metrics are read every 250 ms until 90% of the rows are in, and
 * every 20 ms after that (the end is still seen within 20 ms). Peak memory is the kernel's own
 * high-water mark (VmHWM), read at each poll and once more at the end: the producer exits before.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { freePort } from '../../test/helpers/processes.js';

const DEADLINE_MS = 10 * 60_000;
/** The compiled CLI; run.ts checks that it is there. */
export const COMPILED_CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
/**
 * Node's flags for lograbbit's processes, as its launchers give them (the Dockerfile, `npm start`,
 * deploy/lograbbit.service; a test checks that they agree): the bench measures what users run.
 */
export const NODE_FLAGS = ['--max-semi-space-size=8'] as const;

export interface EndToEndOptions {
  readonly env: Record<string, string>;
  readonly path: string;
  readonly lines: number;
  readonly consumers: number;
  readonly producerArgs: readonly string[];
  readonly consumerArgs: readonly string[];
  /**
   * The source name of this run's lines (`produce --source`), for a database that already holds
   * rows: the final counts and the first read are then of this source alone, so they stay exact.
   * Without it the file's name is the source and the tables must start empty.
   */
  readonly source?: string;
}

export interface EndToEndResult {
  readonly linesPerSecond: number;
  /** From the first line read to the last row committed. */
  readonly seconds: number;
  /** From spawning the producer to its first line read. */
  readonly startupSeconds: number;
  /**
   * Peak resident memory of each process, in MB of 10^6 bytes, the target's unit (before 2026-12-01
   * 18:00 these figures were MiB): the producer first, then each consumer.
   */
  readonly peakRssMb: readonly number[];
}

/** The kernel's high-water mark of the process's resident memory, in KiB (its "kB"). */
async function peakRssKb(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function start(args: readonly string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [...NODE_FLAGS, COMPILED_CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return child;
}

export async function benchEndToEnd(options: EndToEndOptions): Promise<EndToEndResult> {
  const env: Record<string, string> = { ...options.env, LOG_LEVEL: 'warn' };
  const setup = start(['setup'], env);
  await new Promise((resolve) => setup.on('close', resolve));
  const ports = await Promise.all(Array.from({ length: options.consumers }, () => freePort()));
  const consumers = ports.map((port) =>
    start(['consume', '--metrics-port', String(port), ...options.consumerArgs], env),
  );
  // Let the consumers connect before the clock starts: the figure is the pipeline's, not start-up's.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const sql = await mysql.createConnection({
    host: env.DB_HOST,
    port: Number(env.DB_PORT),
    user: env.DB_USER,
    password: env.DB_PASSWORD,
    database: env.DB_NAME,
  });
  const peaks = new Map<ChildProcess, number>();
  const readPeaks = async (): Promise<void> => {
    for (const child of all) peaks.set(child, Math.max(peaks.get(child) ?? 0, await peakRssKb(child.pid)));
  };
  const spawnedAtMs = Date.now();
  const sourceArgs = options.source === undefined ? [] : ['--source', options.source];
  const producer = start(
    ['produce', options.path, '--no-progress', ...sourceArgs, ...options.producerArgs],
    env,
  );
  const all = [producer, ...consumers];
  try {
    for (;;) {
      await readPeaks();
      const committed = await committedRows(ports);
      if (committed.raw >= options.lines && committed.parsed >= options.lines) break;
      if (consumers.some((child) => child.exitCode !== null))
        throw new Error('a consumer exited before the end');
      if (Date.now() - spawnedAtMs > DEADLINE_MS) throw new Error(`not done after ${DEADLINE_MS / 1000} s`);
      // Each read of /metrics costs the consumer and this process CPU that the pipeline would use.
      const nearTheEnd = Math.min(committed.raw, committed.parsed) >= 0.9 * options.lines;
      await new Promise((resolve) => setTimeout(resolve, nearTheEnd ? 20 : 250));
    }
    const endedAtMs = Date.now();
    await readPeaks();
    // The DATETIME holds UTC; a difference from the epoch reads it whatever the session's time zone.
    // By source, when given, through each table's (source, …) index: no scan of the rows before.
    const where = options.source === undefined ? '' : ' WHERE source = ?';
    const [[row]] = await sql.query<mysql.RowDataPacket[]>(
      `SELECT (SELECT COUNT(*) FROM raw_log${where}) AS raw,
              (SELECT COUNT(*) FROM clean_log${where}) + (SELECT COUNT(*) FROM rejected_log${where}) AS parsed,
              (SELECT TIMESTAMPDIFF(MICROSECOND, '1970-01-01', MIN(received_at)) FROM raw_log${where}) AS first_read_us`,
      options.source === undefined ? [] : Array<string>(4).fill(options.source),
    );
    const firstReadAtMs = Number(row?.first_read_us) / 1000;
    const seconds = (endedAtMs - firstReadAtMs) / 1000;
    if (Number(row?.raw) !== options.lines || Number(row?.parsed) !== options.lines)
      throw new Error(`expected ${options.lines} rows in each; found ${row?.raw} raw, ${row?.parsed} parsed`);
    return {
      seconds,
      startupSeconds: (firstReadAtMs - spawnedAtMs) / 1000,
      linesPerSecond: options.lines / seconds,
      peakRssMb: all.map((child) => Math.round(((peaks.get(child) ?? 0) * 1024) / 1e6)),
    };
  } finally {
    await sql.end();
    for (const child of all) child.kill('SIGTERM');
    await Promise.all(
      all.map(
        (child) =>
          new Promise((resolve) => (child.exitCode === null ? child.on('close', resolve) : resolve(null))),
      ),
    );
  }
}

/** Rows the consumers have committed so far, from their /metrics: raw, and clean + rejected. */
async function committedRows(ports: readonly number[]): Promise<{ raw: number; parsed: number }> {
  let raw = 0;
  let parsed = 0;
  for (const port of ports) {
    const text = await fetch(`http://127.0.0.1:${port}/metrics`)
      .then((response) => response.text())
      .catch(() => '');
    for (const [, table, value] of text.matchAll(/^lograbbit_rows_inserted_total\{table="(\w+)"\} (\d+)/gm)) {
      if (table === 'raw_log') raw += Number(value);
      else parsed += Number(value);
    }
  }
  return { raw, parsed };
}
