/**
 * Benchmark: how long each dashboard panel's query takes on a large clean_log.
 *
 *   node --import tsx bench/dashboard-queries.ts [--rows 1000000] [--keep] [--reuse]
 *
 * Fills a scratch database (`lograbbit_bench_dashboard` on the local MariaDB, DB_HOST/DB_USER/DB_PASSWORD
 * from the environment) with generated rows spread over 30 days, 5 sources, 50,000 client addresses and
 * 2,000 paths, then times every panel's query over two ranges — the last 24 hours and all 30 days — and
 * prints the median of 3 runs. `--reuse` skips filling when the database already has the rows; `--keep`
 * leaves the database for the next run. Nothing generated is written outside the scratch database.
 */
import { createHash } from 'node:crypto';
import mysql from 'mysql2/promise';
import { countRecent, countRows, createStatsReader, openStore, rejectReasons } from '../src/store/index.js';
import type { TopDimension, TrafficFilter } from '../src/store/index.js';

const args = process.argv.slice(2);
const rowsWanted = Number(args[args.indexOf('--rows') + 1] ?? 0) || 1_000_000;
const keep = args.includes('--keep');
const reuse = args.includes('--reuse');
const DATABASE = 'lograbbit_bench_dashboard';
const host = process.env.DB_HOST ?? '127.0.0.1';
const user = process.env.DB_USER ?? 'root';
const password = process.env.DB_PASSWORD ?? '';

const DAY_MS = 86_400_000;
const now = Date.now();
const SOURCES = ['www', 'api', 'shop', 'blog', 'cdn'];
const COUNTRIES = [
  ['United States', 'US'],
  ['Germany', 'DE'],
  ['France', 'FR'],
  ['India', 'IN'],
  ['Brazil', 'BR'],
  ['Japan', 'JP'],
  ['United Kingdom', 'GB'],
  ['Canada', 'CA'],
] as const;
const BROWSERS = ['Chrome', 'Firefox', 'Safari', 'Edge', 'Mobile Safari', 'Googlebot', 'curl'];
const OSES = ['Windows 10', 'macOS', 'Android 14', 'iOS 17', 'Linux'];
const DEVICES = ['desktop', 'mobile', 'tablet', 'bot'];
const STATUSES = [200, 200, 200, 200, 200, 200, 304, 301, 404, 404, 403, 500, 502];

function pick<T>(values: readonly T[], random = Math.random()): T {
  return values[Math.floor(random * values.length)] as T;
}

/**
 * An event id as the pipeline makes them: 8 bytes naming the stream (here one file per source and
 * day, as with daily rotation), then an offset that grows with the line's time, so rows of nearby
 * times sit together in the primary key like real ones do.
 */
function eventIdAt(source: string, ms: number, n: number): Buffer {
  const day = new Date(ms).toISOString().slice(0, 10);
  const id = Buffer.alloc(16);
  createHash('sha256').update(`${source}/${day}`).digest().copy(id, 0, 0, 8);
  id.writeBigUInt64BE(BigInt(ms % 86_400_000) * 1000n + BigInt(n % 1000), 8);
  return id;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

async function fill(pool: mysql.Pool, rows: number): Promise<void> {
  const columns =
    '(event_id, source, format, ts, utc_offset_min, ip, country, country_code, user, is_email, method, host, path, status, bytes, referrer_host, user_agent, browser, os, device, is_bot)';
  const perStatement = 2000;
  const started = Date.now();
  for (let done = 0; done < rows; done += perStatement) {
    const values: unknown[] = [];
    const placeholders: string[] = [];
    for (let i = 0; i < Math.min(perStatement, rows - done); i++) {
      const ts = Math.floor(now - Math.random() * 30 * DAY_MS);
      const source = pick(SOURCES);
      const [country, code] = pick(COUNTRIES);
      const browser = pick(BROWSERS);
      const bot = browser === 'Googlebot' || browser === 'curl';
      const status = pick(STATUSES);
      const bytes = status === 304 ? 0 : Math.floor(Math.random() * 50_000);
      const path = `/${pick(['blog', 'shop', 'api/v1', 'static', 'docs'])}/page-${Math.floor(Math.random() ** 2 * 2000)}`;
      placeholders.push('(?,?,?,?,0,?,?,?,?,0,?,?,?,?,?,?,?,?,?,?,?)');
      values.push(
        eventIdAt(source, ts, done + i),
        source,
        'combined',
        iso(ts),
        `10.${Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() ** 3 * 250)}`,
        country,
        code,
        Math.random() < 0.05 ? `user${Math.floor(Math.random() * 100)}` : null,
        pick(['GET', 'GET', 'GET', 'POST']),
        `${pick(SOURCES)}.example.com`,
        path,
        status,
        bytes,
        Math.random() < 0.3 ? 'www.google.com' : null,
        `Mozilla/5.0 (${browser})`,
        browser,
        pick(OSES),
        bot ? 'bot' : pick(DEVICES.slice(0, 3)),
        bot ? 1 : 0,
      );
    }
    await pool.query(`INSERT IGNORE INTO clean_log ${columns} VALUES ${placeholders.join(',')}`, values);
    if ((done / perStatement) % 50 === 0) process.stderr.write(`\rfilled ${done.toLocaleString('en-US')}`);
  }
  // Some raw and rejected rows too, for the pipeline counts.
  await pool.query(
    `INSERT INTO raw_log (event_id, source, received_at, ts, line, truncated)
     SELECT event_id, source, ts, ts, CONCAT('line ', HEX(event_id)), 0 FROM clean_log LIMIT 200000`,
  );
  await pool.query(
    `INSERT INTO rejected_log (event_id, source, received_at, line, reason)
     SELECT event_id, source, ts, 'garbage', IF(status = 404, 'combined: bad status "4o4"', 'no format matched; closest was none')
     FROM clean_log LIMIT 20000`,
  );
  process.stderr.write(
    `\rfilled ${rows.toLocaleString('en-US')} rows in ${(Date.now() - started) / 1000} s\n`,
  );
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await run();
    runs.push(performance.now() - started);
  }
  runs.sort((a, b) => a - b);
  return runs[1] as number;
}

async function main(): Promise<void> {
  const store = await openStore(
    {
      host,
      port: 3306,
      database: DATABASE,
      user,
      password,
      address: `${host}:3306/${DATABASE}`,
    },
    { timeoutMs: 5000, setup: true },
  );
  try {
    const [[existing]] = await store.pool.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM clean_log');
    // INSERT IGNORE may drop the rare row whose generated id repeats: 0.1% short still counts as filled.
    if (!reuse || Number(existing?.n) < rowsWanted * 0.999) {
      await store.pool.query('TRUNCATE clean_log');
      await store.pool.query('TRUNCATE raw_log');
      await store.pool.query('TRUNCATE rejected_log');
      await fill(store.pool, rowsWanted);
      await store.pool.query('ANALYZE TABLE clean_log, raw_log, rejected_log');
    }
    const { db } = store;
    // The reader the dashboard uses: the same queries, index hints and optional columns.
    const reader = createStatsReader(db);
    const ranges: Array<[string, TrafficFilter, number]> = [
      ['24 h', { from: new Date(now - DAY_MS), to: new Date(now + 1000) }, 900],
      ['30 days', { from: new Date(now - 30 * DAY_MS - 1000), to: new Date(now + 1000) }, 21_600],
      ['24 h, 1 source', { from: new Date(now - DAY_MS), to: new Date(now + 1000), source: 'www' }, 900],
    ];
    const panels: Array<[string, (filter: TrafficFilter, bucket: number) => Promise<unknown>]> = [
      ['traffic (series, summary, hours)', (filter, bucket) => reader.traffic(filter, bucket)],
      ...(['path', 'notFound', 'host', 'country', 'browser', 'os', 'device'] as TopDimension[]).map(
        (dimension): [string, (filter: TrafficFilter) => Promise<unknown>] => [
          `top ${dimension}`,
          (filter) => reader.top(dimension, filter, 10),
        ],
      ),
      ['search, first page', (filter) => reader.search(filter, 50)],
      ['search status 404', (filter) => reader.search({ ...filter, status: '404' }, 50)],
      ['search ip', (filter) => reader.search({ ...filter, ip: '10.1.1.1' }, 50)],
      ['search path prefix', (filter) => reader.search({ ...filter, pathPrefix: '/docs/page-1' }, 50)],
    ];
    const header = ['panel', ...ranges.map(([label]) => label)];
    const lines: string[][] = [header];
    // One range after the other, all panels each time, as a page showing that range asks for them.
    const rows = panels.map(([label]) => [label]);
    for (const [, filter, bucket] of ranges) {
      for (const [i, [, run]] of panels.entries()) {
        rows[i]?.push(`${(await time(() => run(filter, bucket))).toFixed(0)} ms`);
      }
    }
    lines.push(...rows);
    const pipeline: Array<[string, () => Promise<unknown>]> = [
      ['table counts (3 × COUNT(*))', () => countRows(db)],
      ['lines in the last minute', () => countRecent(db, new Date(now - 60_000))],
      ['reject reasons', () => rejectReasons(db, 20, new Date(now - DAY_MS))],
      ['sources', () => reader.sources()],
    ];
    for (const [label, run] of pipeline) lines.push([label, `${(await time(run)).toFixed(0)} ms`, '', '']);
    const widths = header.map((_, i) => Math.max(...lines.map((line) => (line[i] ?? '').length)));
    console.log(`clean_log rows: ${rowsWanted.toLocaleString('en-US')} (median of 3 runs)`);
    for (const line of lines) console.log(line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
  } finally {
    await store.close();
    if (!keep) {
      const admin = await mysql.createConnection({ host, user, password });
      await admin.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
      await admin.end();
    }
  }
}

await main();
