/**
 * Lag from append to row: lines appended to a file at 1,000 lines/s (10 every 10 ms) while `lograbbit
 * run` follows it; a poller reads clean_log every 10 ms and notes when each line's row appears. Prints
 * p50/p90/p99/max of (row seen − line written). The poll period adds up to 10 ms to each figure.
 *
 * Usage: node --import tsx bench/follow-latency.ts [seconds=10] [linesPerSecond=1000]
 * Needs the local RabbitMQ and MariaDB (as the integration tests do); uses a vhost and database of its own.
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { createTestServices } from '../test/helpers/services.js';
import { runCli, waitFor } from '../test/helpers/cli.js';
import { sleep, startLograbbit } from '../test/helpers/processes.js';

const seconds = Number(process.argv[2] ?? 10);
const rate = Number(process.argv[3] ?? 1000);
const TICK_MS = 10;
const POLL_MS = 10;

const services = await createTestServices('bench_lag');
const dir = await mkdtemp(join(tmpdir(), 'lograbbit-lag-'));
const path = join(dir, 'lag.log');
const lineOf = (n: number): string =>
  `198.51.100.${(n + 250) % 250} - - [01/Nov/2022:10:00:00 +0000] "GET /lag/${n} HTTP/1.1" 200 ${n + 1} "-" "bench"`;
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
  const poller = (async () => {
    while (polling || seenAt.size < total) {
      const [rows] = await sql.query<RowDataPacket[]>("SELECT path FROM clean_log WHERE path LIKE '/lag/%'");
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
  await Promise.race([poller, sleep(30_000)]);
  await running.stop('SIGTERM');

  const lags = [...writtenAt]
    .map(([n, at]) => (seenAt.get(n) ?? Number.POSITIVE_INFINITY) - at)
    .sort((a, b) => a - b);
  const at = (q: number): string =>
    (lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? NaN).toFixed(0);
  console.log(
    `follow latency, ${total} lines at ${rate} lines/s over ${seconds} s (append → row in clean_log, ms): ` +
      `p50 ${at(0.5)}  p90 ${at(0.9)}  p99 ${at(0.99)}  max ${at(1 - 1e-9)}  (missing: ${total - seenAt.size})`,
  );
} finally {
  await services.teardown();
  await rm(dir, { recursive: true, force: true });
}

function assert0(code: number | null): void {
  if (code !== 0) throw new Error(`lograbbit setup exited with ${code}`);
}
