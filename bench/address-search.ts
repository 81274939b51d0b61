/**
 * Benchmark: the dashboard's search by client address (`searchRequests` with `ip`) on a full
 * database, for a frequent address, a rare one and an absent one, over the dashboard's ranges.
 *
 *   node --import tsx bench/address-search.ts [--database lograbbit_bench_full] [--runs 5] [--plain]
 *
 * Reads a database another bench filled and kept (bench/ingest-full.ts `--keep`; DB_HOST, DB_USER,
 * DB_PASSWORD from the environment); writes nothing. The frequent address is the one with the most
 * lines in the newest hour of lines, the rare one the address of a line from the middle of the
 * history, the absent one from TEST-NET-1 (never generated). Each search asks for the first page of
 * 50 newest first, as the dashboard does, with the range ending at the newest line; the median of
 * `--runs` is printed, the first run apart (a cold buffer pool). `--plain` also times the same
 * search without the hour index (`IGNORE INDEX`): the range read at once, as before migration 0009.
 */
import mysql from 'mysql2/promise';
import { openStore, optionalColumnsOf, searchRequests } from '../src/store/index.js';
import type { RequestSearch } from '../src/store/index.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};
const DATABASE = option('--database') ?? 'lograbbit_bench_full';
const runs = Number(option('--runs') ?? 5);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(
    `address-search: --runs: expected a whole number above 0 (got "${option('--runs')}")\n`,
  );
  process.exit(2);
}
const plain = args.includes('--plain');
const host = process.env.DB_HOST ?? '127.0.0.1';
const user = process.env.DB_USER ?? 'root';
const password = process.env.DB_PASSWORD ?? '';

const HOUR_MS = 3_600_000;
const RANGES = [
  ['1 hour', HOUR_MS],
  ['1 day', 24 * HOUR_MS],
  ['7 days', 7 * 24 * HOUR_MS],
  ['30 days', 30 * 24 * HOUR_MS],
] as const;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

async function timed(
  run: () => Promise<number>,
): Promise<{ firstMs: number; medianMs: number; rows: number }> {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    rows = await run();
    times.push(performance.now() - started);
  }
  return { firstMs: times[0] ?? 0, medianMs: median(times.slice(1)), rows };
}

async function main(): Promise<void> {
  const store = await openStore(
    { host, port: 3306, database: DATABASE, user, password, address: `${host}:3306/${DATABASE}` },
    { timeoutMs: 5000, setup: false },
  );
  const sql = await mysql.createConnection({ host, user, password, database: DATABASE, timezone: 'Z' });
  try {
    const columns = await optionalColumnsOf(store.db);
    const [[span]] = await sql.query<mysql.RowDataPacket[]>(
      'SELECT MIN(ts) AS first_ts, MAX(ts) AS last_ts FROM clean_log',
    );
    const lastMs = (span?.last_ts as Date).getTime();
    const firstMs = (span?.first_ts as Date).getTime();
    const [[frequent]] = await sql.query<mysql.RowDataPacket[]>(
      'SELECT ip, COUNT(*) AS n FROM clean_log WHERE ts >= ? GROUP BY ip ORDER BY n DESC LIMIT 1',
      [new Date(lastMs - HOUR_MS)],
    );
    const [[rare]] = await sql.query<mysql.RowDataPacket[]>(
      'SELECT ip FROM clean_log WHERE ts >= ? ORDER BY ts LIMIT 1',
      [new Date((firstMs + lastMs) / 2)],
    );
    const addresses = [
      ['frequent', String(frequent?.ip), `${Number(frequent?.n)} lines in the last hour`],
      ['rare', String(rare?.ip), 'a line from the middle of the history'],
      ['absent', '192.0.2.1', 'TEST-NET-1'],
    ] as const;
    process.stdout.write(
      `${DATABASE}: lines from ${new Date(firstMs).toISOString()} to ${new Date(lastMs).toISOString()}; ` +
        `the walk ${columns.has('ts_hour') ? 'by hour' : 'unavailable (no ts_hour)'}\n` +
        addresses.map(([name, ip, why]) => `  ${name}: ${ip} (${why})`).join('\n') +
        `\n\n| address | range | rows on the page | first run ms | median of ${runs} ms |${plain ? ' plain, first / median ms |' : ''}\n` +
        `| --- | --- | ---: | ---: | ---: |${plain ? ' ---: |' : ''}\n`,
    );
    for (const [name, ip] of addresses) {
      for (const [label, lengthMs] of RANGES) {
        const search: RequestSearch = { from: new Date(lastMs + 1 - lengthMs), to: new Date(lastMs + 1), ip };
        const walk = await timed(
          async () => (await searchRequests(store.db, search, 50, columns)).rows.length,
        );
        let plainCell = '';
        if (plain) {
          const whole = await timed(async () => {
            const [rows] = await sql.query<mysql.RowDataPacket[]>(
              `SELECT event_id FROM clean_log IGNORE INDEX (clean_log_hour_ip_ts)
                WHERE ts >= ? AND ts < ? AND ip = ? ORDER BY ts DESC, event_id DESC LIMIT 51`,
              [search.from, search.to, ip],
            );
            return Math.min(rows.length, 50);
          });
          plainCell = ` ${whole.firstMs.toFixed(1)} / ${whole.medianMs.toFixed(1)} |`;
        }
        process.stdout.write(
          `| ${name} | ${label} | ${walk.rows} | ${walk.firstMs.toFixed(1)} | ${walk.medianMs.toFixed(1)} |${plainCell}\n`,
        );
      }
    }
  } finally {
    await sql.end();
    await store.close();
  }
}

await main();
