/**
 * Benchmark: how long each dashboard panel and `lograbbit stats` take as history grows.
 *
 *   node --import tsx bench/dashboard-queries.ts [--sizes 1000000,5000000] [--keep] [--reuse] [--database name]
 *     [--runs 5] [--stat median|min]
 *
 * Fills a scratch database (`lograbbit_bench_dashboard` on the local MariaDB, DB_HOST/DB_USER/DB_PASSWORD
 * from the environment) through the consumers' own writer, so that the rollups are counted as in
 * production: generated clean rows spread over the last 30 days, 5 sources, 50,000 client addresses
 * and 10,000 paths, in time order, one stream per source and day (a file per day, as with daily
 * rotation). At each size of `--sizes` (rows in clean_log, growing) it times every panel over 1 day,
 * 7 days, 30 days and all (all sources, and one), and `stats`' reads, and prints the median of
 * `--runs` runs (5) with the size of the rollups per day. Before timing, the top values are compacted as a round of the
 * upkeep of `consume` leaves them (every closed hour and day down to 200 values, the open ones over
 * 250). `--reuse` starts from the rows a `--keep` run left; nothing generated is written outside the
 * scratch database.
 */
import { createHash } from 'node:crypto';
import mysql from 'mysql2/promise';
import {
  compactTopValues,
  countRecent,
  countedLines,
  createRowWriters,
  createStatsReader,
  openStore,
  rejectReasons,
  tableSizes,
  TOP_DIMENSIONS,
} from '../src/store/index.js';
import type { CleanOrRejectedRow, CleanRow, TrafficFilter } from '../src/store/index.js';
import type { Database, StatsReader, Store } from '../src/store/index.js';
// The series bucket the dashboard picks for a range, so that the bench times what the page asks for.
import { bucketSecondsFor } from '../src/dashboard/query-params.js';
import { writeCleanOrRejected } from '../test/helpers/row-writes.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};
const sizes = (option('--sizes') ?? option('--rows') ?? '1000000')
  .split(',')
  .map((size) => Number(size))
  .filter((size) => Number.isInteger(size) && size > 0)
  .sort((a, b) => a - b);
const keep = args.includes('--keep');
const reuse = args.includes('--reuse');
const RUNS = Number(option('--runs') ?? 5);
// The median is what a user waits; the minimum is the query's own cost, which other work on the
// machine can only add to: compare sizes by it on a shared machine.
const STAT = option('--stat') ?? 'median';
if (STAT !== 'median' && STAT !== 'min') {
  process.stderr.write(`dashboard-queries: --stat: expected median or min (got "${STAT}")\n`);
  process.exit(2);
}
if (!Number.isInteger(RUNS) || RUNS < 1) {
  process.stderr.write(
    `dashboard-queries: --runs: expected a whole number of at least 1 (got "${option('--runs')}")\n`,
  );
  process.exit(2);
}
const DATABASE = option('--database') ?? 'lograbbit_bench_dashboard';
const host = process.env.DB_HOST ?? '127.0.0.1';
const user = process.env.DB_USER ?? 'root';
const password = process.env.DB_PASSWORD ?? '';

const DAY_MS = 86_400_000;
const DAYS = 30;
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
/** A line's bytes: the writer needs only their length (a stream's offsets), never their text here. */
const LINE = Buffer.alloc(400, 0x61);
/** Rows per transaction, as `consume` writes them by default. */
const ROWS_PER_WRITE = 2000;

function pick<T>(values: readonly T[], random = Math.random()): T {
  return values[Math.floor(random * values.length)] as T;
}

/** Where each stream (a source's file of one day, in one fill) has got to, in bytes. */
const streamEnds = new Map<string, { id: Buffer; end: number }>();

/**
 * An event id as the pipeline makes them: 8 bytes naming the stream (one file per source, day,
 * fill and run), then the line's byte offset in it; the next line starts where this one ends.
 */
function eventIdAt(source: string, ms: number, fill: number, lineBytes: number): Buffer {
  // The run's start is in the name: a `--reuse` run counts its fills from 0 again, and a stream
  // named as one of an earlier run would put its lines at offsets the rollups have counted already
  // (they would be stored as lines, never counted: see rollup/counted-ranges.ts).
  const key = `${source}/${new Date(ms).toISOString().slice(0, 10)}/${fill}/${now}`;
  let stream = streamEnds.get(key);
  if (stream === undefined) {
    stream = { id: createHash('sha256').update(key).digest().subarray(0, 8), end: 0 };
    streamEnds.set(key, stream);
  }
  const id = Buffer.alloc(16);
  stream.id.copy(id, 0);
  id.writeBigUInt64BE(BigInt(stream.end), 8);
  stream.end += lineBytes;
  return id;
}

function rowAt(ts: number, fill: number): CleanOrRejectedRow {
  const source = pick(SOURCES);
  const [country, code] = pick(COUNTRIES);
  const browser = pick(BROWSERS);
  const bot = browser === 'Googlebot' || browser === 'curl';
  const status = pick(STATUSES);
  const lineBytes = 150 + Math.floor(Math.random() * 250);
  const row: CleanRow = {
    eventId: eventIdAt(source, ts, fill, lineBytes),
    source,
    format: 'combined',
    ts: new Date(ts),
    utcOffsetMin: 0,
    ip: `10.${Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() ** 3 * 250)}`,
    country,
    countryCode: code,
    user: Math.random() < 0.05 ? `user${Math.floor(Math.random() * 100)}` : null,
    isEmail: false,
    method: pick(['GET', 'GET', 'GET', 'POST']),
    host: `${pick(SOURCES)}.example.com`,
    path: `/${pick(['blog', 'shop', 'api/v1', 'static', 'docs'])}/page-${Math.floor(Math.random() ** 2 * 2000)}`,
    status,
    bytes: status === 304 ? 0 : Math.floor(Math.random() * 50_000),
    referrerHost: Math.random() < 0.3 ? 'www.google.com' : null,
    userAgent: `Mozilla/5.0 (${browser})`,
    browser,
    os: pick(OSES),
    device: bot ? 'bot' : pick(DEVICES.slice(0, 3)),
    isBot: bot,
  };
  return { table: 'clean_log', row, line: LINE.subarray(0, lineBytes), receivedAt: new Date(ts) };
}

/**
 * Adds `rows` rows over the last 30 days, in time order, through the consumers' writer (lines and
 * rollups in one transaction each, as `consume` stores them).
 */
async function fill(
  db: Database,
  method: 'load-data' | 'insert',
  rows: number,
  fillNo: number,
): Promise<number> {
  const writers = createRowWriters(db, method);
  const started = Date.now();
  const start = now - DAYS * DAY_MS;
  const step = (DAYS * DAY_MS) / rows;
  let stored = 0;
  for (let done = 0; done < rows; done += ROWS_PER_WRITE) {
    const batch: CleanOrRejectedRow[] = [];
    for (let i = done; i < Math.min(rows, done + ROWS_PER_WRITE); i++) {
      batch.push(rowAt(Math.floor(start + (i + Math.random()) * step), fillNo));
    }
    stored += await writeCleanOrRejected(writers, batch);
    if ((done / ROWS_PER_WRITE) % 25 === 0) {
      const seconds = (Date.now() - started) / 1000;
      process.stderr.write(
        `\rfill ${fillNo}: ${done.toLocaleString('en-US')} rows, ${Math.round(done / Math.max(seconds, 0.001)).toLocaleString('en-US')}/s   `,
      );
    }
  }
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(
    `\rfill ${fillNo}: ${rows.toLocaleString('en-US')} rows in ${seconds.toFixed(0)} s (${Math.round(rows / seconds).toLocaleString('en-US')} rows/s)\n`,
  );
  return stored;
}

/**
 * The median (or the minimum, `--stat min`) of `RUNS` runs: panels of a few milliseconds vary by
 * one or two from run to run.
 */
async function time(run: () => Promise<unknown>): Promise<number> {
  // One run first, not timed: the dashboard is a long-running server, its code compiled and warm.
  await run();
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    runs.push(performance.now() - started);
  }
  runs.sort((a, b) => a - b);
  return runs[STAT === 'min' ? 0 : Math.floor(RUNS / 2)] as number;
}

/** Milliseconds as printed: one decimal below 10, where a ratio between sizes needs it. */
const ms = (value: number): string => `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`;

/** The rows the server read for the statements of one connection so far (`Handler_read_*`). */
async function handlerReads(client: Store['pool']): Promise<number> {
  const [status] = await client.query<mysql.RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Handler_read%'");
  return status.reduce((sum, row) => sum + Number(row.Value), 0);
}

/**
 * The rows the server reads for one run of `run` on a store of one connection: what a panel's cost
 * follows, whatever else the machine does. The reads of SHOW STATUS itself are measured and taken off.
 */
async function rowsRead(counter: Store, run: () => Promise<unknown>): Promise<number> {
  const idleBefore = await handlerReads(counter.pool);
  const idleAfter = await handlerReads(counter.pool);
  const before = await handlerReads(counter.pool);
  await run();
  const after = await handlerReads(counter.pool);
  return after - before - (idleAfter - idleBefore);
}

/** A count of rows as printed: thousands as "k". */
const count = (value: number): string =>
  value < 10_000 ? String(value) : `${(value / 1000).toFixed(value < 100_000 ? 1 : 0)}k`;

async function measure(db: Database, pool: Database['$client'], counter: Store, rows: number): Promise<void> {
  const reader = createStatsReader(db);
  const counting = createStatsReader(counter.db);
  const bounds = await reader.bounds();
  const ranges: Array<[string, TrafficFilter]> = [
    ['1 day', { from: new Date(now - DAY_MS), to: new Date(now + 1) }],
    ['7 days', { from: new Date(now - 7 * DAY_MS), to: new Date(now + 1) }],
    ['30 days', { from: new Date(now - 30 * DAY_MS), to: new Date(now + 1) }],
    ['all', { from: new Date(bounds?.firstMs ?? 0), to: new Date((bounds?.lastMs ?? 0) + 1) }],
    ['30 days, 1 source', { from: new Date(now - 30 * DAY_MS), to: new Date(now + 1), source: 'www' }],
  ];
  type Panel = (from: StatsReader, filter: TrafficFilter) => Promise<unknown>;
  const panels: Array<[string, Panel]> = [
    [
      'traffic (series, summary, hours)',
      (from, filter) => from.traffic(filter, bucketSecondsFor(filter.to.getTime() - filter.from.getTime())),
    ],
    ...TOP_DIMENSIONS.map((dimension): [string, Panel] => [
      `top ${dimension}`,
      (from, filter) => from.top(dimension, filter, 10),
    ]),
    ['search, first page', (from, filter) => from.search(filter, 50)],
    ['search status 404', (from, filter) => from.search({ ...filter, status: '404' }, 50)],
  ];
  const header = ['panel', ...ranges.map(([label]) => label)];
  const lines: string[][] = [header];
  // One range after the other, all panels each time, as a page showing that range asks for them.
  const table = panels.map(([label]) => [label]);
  const read = panels.map(([label]) => [label]);
  for (const [, filter] of ranges) {
    for (const [i, [, run]] of panels.entries()) {
      table[i]?.push(ms(await time(() => run(reader, filter))));
      read[i]?.push(count(await rowsRead(counter, () => run(counting, filter))));
    }
  }
  lines.push(...table);
  const stats: Array<[string, () => Promise<unknown>]> = [
    ['span: bounds + history', () => Promise.all([reader.bounds(), reader.history()])],
    ['sources', () => reader.sources()],
    ['stats: table sizes', () => tableSizes(db)],
    ['stats: lines counted', () => countedLines(db)],
    ['stats: last minute', () => countRecent(db, new Date(now - 60_000))],
    ['stats: rejects, 24 h', () => rejectReasons(db, 500, new Date(now - DAY_MS))],
    ['stats: history', () => reader.history()],
    [
      'stats: all its reads at once',
      () =>
        Promise.all([
          tableSizes(db),
          countedLines(db),
          reader.history(),
          countRecent(db, new Date(now - 60_000)),
          rejectReasons(db, 500, new Date(now - DAY_MS)),
        ]),
    ],
  ];
  for (const [label, run] of stats) lines.push([label, ms(await time(run))]);
  const widths = header.map((_, i) => Math.max(...lines.map((line) => (line[i] ?? '').length)));
  console.log(
    `\nclean_log rows: ${rows.toLocaleString('en-US')} over ${DAYS} days (${STAT === 'min' ? 'fastest' : 'median'} of ${RUNS} runs)`,
  );
  for (const line of lines) console.log(line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
  // Rows read, not time, is what must not grow with the table: it is the same on a busy machine.
  const readWidths = header.map((_, i) =>
    Math.max(...[header, ...read].map((line) => (line[i] ?? '').length)),
  );
  console.log('\nrows the server read for one run (Handler_read_*, one connection):');
  for (const line of [header, ...read])
    console.log(line.map((cell, i) => cell.padEnd(readWidths[i] ?? 0)).join('  '));
  const [disk] = await pool.query<mysql.RowDataPacket[]>(
    `SELECT table_name AS name, data_length + index_length AS bytes, table_rows AS estimated_rows
     FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'rollup%' OR
       (table_schema = DATABASE() AND table_name = 'clean_log') ORDER BY table_name`,
  );
  console.log('\non disk (InnoDB data + indexes), per day of the 30:');
  for (const row of disk) {
    const bytes = Number(row.bytes);
    console.log(
      `  ${String(row.name).padEnd(15)} ${(bytes / 1024 / 1024).toFixed(1).padStart(8)} MiB  ${(bytes / DAYS / 1024 / 1024).toFixed(2).padStart(7)} MiB/day  ~${Number(row.estimated_rows).toLocaleString('en-US')} rows`,
    );
  }
}

async function main(): Promise<void> {
  const opening = Date.now();
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
  // With --reuse on a database from an older version, this is where its migrations run.
  process.stderr.write(
    `store opened (setup and migrations) in ${((Date.now() - opening) / 1000).toFixed(1)} s\n`,
  );
  // A second store of one connection, where the session's counters tell the rows each panel reads.
  const counter = await openStore(store.endpoint, { timeoutMs: 5000, connections: 1, setup: false });
  try {
    const { db, pool } = store;
    const method = store.writeMethod;
    const [[existing]] = await pool.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM clean_log');
    let rows = reuse ? Number(existing?.n ?? 0) : 0;
    let fills = reuse ? 1 + Math.ceil(rows / (sizes[0] ?? 1)) : 0;
    if (!reuse) {
      for (const table of [
        'clean_log',
        'raw_log',
        'rejected_log',
        'rollup_minute',
        'rollup_hour',
        'rollup_top',
        'rollup_counted',
      ]) {
        await pool.query(`TRUNCATE ${table}`);
      }
      // Some raw and rejected rows, read within the last day, for `stats`' counts (untimed lines).
      await pool.query(
        `INSERT INTO raw_log (event_id, source, received_at, ts, day, line, truncated)
         SELECT UNHEX(MD5(seq)), 'www', NOW() - INTERVAL seq SECOND, NULL, '1000-01-01', CONCAT('line ', seq), 0
         FROM seq_1_to_200000`,
      );
      await pool.query(
        `INSERT INTO rejected_log (event_id, source, received_at, day, line, reason)
         SELECT UNHEX(MD5(seq)), 'www', NOW() - INTERVAL seq * 4 SECOND, '1000-01-01', 'garbage',
           IF(seq % 3 = 0, 'combined: bad status "4o4"', 'no format matched; closest was none') FROM seq_1_to_20000`,
      );
    }
    for (const size of sizes) {
      if (size > rows) {
        rows += await fill(db, method, size - rows, fills++);
      }
      // As the upkeep of `consume` leaves them after a round: every hour and day compacted, the open
      // ones too. Each fill spans all 30 days, as no site's lines do, so compaction starts over from
      // the first hour and day.
      await pool.query(
        "DELETE FROM rollup_state WHERE name IN ('top_compacted_until', 'top_days_compacted_until')",
      );
      const started = Date.now();
      const compacted = await compactTopValues(pool);
      process.stderr.write(
        `compaction: ${compacted.hours} hours, ${compacted.days} days, ${compacted.folded.toLocaleString('en-US')} values folded in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
      await pool.query(
        'ANALYZE TABLE clean_log, raw_log, rejected_log, rollup_minute, rollup_hour, rollup_top',
      );
      await measure(db, pool, counter, rows);
    }
  } finally {
    await counter.close();
    await store.close();
    if (!keep) {
      const admin = await mysql.createConnection({ host, user, password });
      await admin.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
      await admin.end();
    }
  }
}

await main();
