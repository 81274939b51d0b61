/**
 * Scenario: lag from append to row: lines appended to a file at 1,000 lines/s (10 every 10 ms) while `lograbbit
 * run` follows it; a poller reads clean_log every 10 ms and notes when each line's row appears. Prints
 * p50/p90/p99/max of (row seen − line written). The poll period adds up to 10 ms to each figure.
 * Runs in a vhost and a database of its own.
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { createTestServices } from '../../test/helpers/services.js';
import { runCli, waitFor } from '../../test/helpers/cli.js';
import { sleep, startLograbbit } from '../../test/helpers/processes.js';

const TICK_MS = 10;
const POLL_MS = 10;

export interface FollowLatency {
  readonly lines: number;
  readonly rate: number;
  /** Append → row in clean_log, in ms. */
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Lines whose row never appeared (within 30 s of the last append). */
  readonly missing: number;
}

const lineOf = (n: number): string =>
  `198.51.100.${(n + 250) % 250} - - [01/Nov/2022:10:00:00 +0000] "GET /lag/${n} HTTP/1.1" 200 ${n + 1} "-" "bench"`;

export async function benchFollowLatency(seconds: number, rate: number): Promise<FollowLatency> {
  const services = await createTestServices('bench_lag');
  const dir = await mkdtemp(join(tmpdir(), 'lograbbit-lag-'));
  const path = join(dir, 'lag.log');
  try {
    assert0((await runCli(['setup'], { env: services.env })).code);
    await writeFile(path, `${lineOf(-1)}\n`);
    const running = startLograbbit(
      ['run', path, '--state-dir', join(dir, 'state'), '--no-geo', '--no-user-agent', '--no-progress'],
      { env: services.env },
    );
    const sql = await services.sql();
    await waitFor('the warm-up row', async () => {
      const [[row]] = await sql.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM clean_log');
      return Number(row?.n) >= 1;
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${running.stderr()}`);
    });

    const writtenAt = new Map<number, number>();
    const seenAt = new Map<number, number>();
    const total = Math.round(seconds * rate);
    let polling = true;
    let gaveUp = false;
    const poller = (async () => {
      while (!gaveUp && (polling || seenAt.size < total)) {
        const [rows] = await sql.query<RowDataPacket[]>(
          "SELECT path FROM clean_log WHERE path LIKE '/lag/%'",
        );
        const now = performance.now();
        for (const row of rows) {
          const n = Number(String(row.path).slice(5));
          if (n >= 0 && !seenAt.has(n)) seenAt.set(n, now);
        }
        await sleep(POLL_MS);
      }
    })();
    const startedAt = performance.now();
    for (let n = 0; n < total;) {
      const due = Math.min(total, Math.floor(((performance.now() - startedAt) * rate) / 1000));
      if (due > n) {
        const lines: string[] = [];
        const now = performance.now();
        for (; n < due; n++) {
          lines.push(lineOf(n));
          writtenAt.set(n, now);
        }
        await appendFile(path, `${lines.join('\n')}\n`);
      }
      await sleep(TICK_MS);
    }
    polling = false;
    // At most 30 s for the last rows. The timer is cleared: left to run, it kept the bench's
    // process alive for 30 s after its table was printed.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([poller, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
    clearTimeout(timer);
    gaveUp = true;
    await poller;
    await running.stop('SIGTERM');

    const lags = [...writtenAt]
      .map(([n, at]) => (seenAt.get(n) ?? Number.POSITIVE_INFINITY) - at)
      .sort((a, b) => a - b);
    const at = (q: number): number =>
      Math.round(lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? Number.NaN);
    return {
      lines: total,
      rate,
      p50Ms: at(0.5),
      p90Ms: at(0.9),
      p99Ms: at(0.99),
      maxMs: at(1 - 1e-9),
      missing: total - seenAt.size,
    };
  } finally {
    await services.teardown();
    await rm(dir, { recursive: true, force: true });
  }
}

function assert0(code: number | null): void {
  if (code !== 0) throw new Error(`lograbbit setup exited with ${code}`);
}
