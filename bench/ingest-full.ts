/**
 * Benchmark: does ingest stay fast once the tables hold a month of a busy site (issue 15)? And how many
 * bytes does each stored line take?
 *
 *   node --import tsx bench/ingest-full.ts [--rows 20000000] [--span-days 30] [--lines 200000] [--runs 2]
 *     [--keep] [--reuse] [--database lograbbit_bench_full] [--compress] [--without-index clean_log_hour_ip_ts]
 *
 * Run `npm run build` first: the pipeline runs from dist/, as in `npm run bench`.
 *
 * 1. Fill: a scratch database (`--database`, on the local MariaDB; DB_HOST, DB_USER, DB_PASSWORD from
 *    the environment) made by `lograbbit setup` (schema and day partitions), then `--rows` rows in
 *    clean_log and as many in raw_log, by SQL in chunks (INSERT … SELECT from the sequence engine):
 *    spread evenly over the `--span-days` (30) days before now, in time order, five sources, one stream
 *    per source and day (daily rotation) with ascending byte offsets, client addresses spread over
 *    some 57,000 /16s (random within each hour of the address index), varied paths, agents and
 *    referrers, and the raw line rebuilt from the clean row (about 210 bytes). `--reuse` keeps the
 *    rows of an earlier `--keep` run (the fill is skipped when clean_log has rows).
 * 2. Runs: the whole pipeline (`lograbbit consume` + `lograbbit produce`, as bench/scenarios/end-to-end.ts)
 *    of a simulated file of `--lines` lines of the last minutes (today's partition, as a live site
 *    writes) into the full database and into an empty one, in turns (empty, full, empty, full, …) so
 *    that the load of other work on the machine falls on both alike. Each run has a source of its
 *    own, so its rows are a new stream and are counted exactly by source. Prints lines/s, the ratio
 *    full / empty, and the buffer-pool reads from disk (Innodb_buffer_pool_reads) during each run.
 * 3. Disk: bytes per stored line of each table (data and indexes apart), after ANALYZE TABLE, over
 *    exact row counts.
 * 4. `--compress`: raw_log copied into tables with ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8 (MySQL and
 *    MariaDB) and PAGE_COMPRESSED=1 (MariaDB only), their bytes per line; then one run into the empty
 *    database with its raw_log plain, and one with each compression.
 * The empty database (`<database>_empty`) is dropped at the end; the full one too unless `--keep`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { createTestServices } from '../test/helpers/services.js';
import { createTrafficSimulator } from '../src/sources/simulator/index.js';
import { COMPILED_CLI, benchEndToEnd } from './scenarios/end-to-end.js';
import type { EndToEndResult } from './scenarios/end-to-end.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};
function whole(name: string, fallback: number): number {
  const text = option(name);
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`ingest-full: ${name}: expected a whole number (got "${text}")\n`);
    process.exit(2);
  }
  return value;
}
const rowsWanted = whole('--rows', 20_000_000);
const lines = whole('--lines', 200_000);
const runs = whole('--runs', 2);
const keep = args.includes('--keep');
const reuse = args.includes('--reuse');
const compress = args.includes('--compress');
/**
 * A diagnostic: a secondary index of clean_log to drop in both databases before the runs, to see what
 * it costs (the full database keeps it dropped; `lograbbit setup` does not make it again).
 */
const withoutIndex = option('--without-index');
if (withoutIndex !== undefined && !/^clean_log_\w+$/.test(withoutIndex)) {
  process.stderr.write(`ingest-full: --without-index: a clean_log index name (got "${withoutIndex}")\n`);
  process.exit(2);
}
const FULL = option('--database') ?? 'lograbbit_bench_full';
const EMPTY = `${FULL}_empty`;
const host = process.env.DB_HOST ?? '127.0.0.1';
const user = process.env.DB_USER ?? 'root';
const password = process.env.DB_PASSWORD ?? '';

const DAY_S = 86_400;
/** How far back the filled rows go, in days: 30 by default; under 1 to crowd them into today. */
const spanDays = Number(option('--span-days') ?? 30);
if (!(spanDays > 0 && spanDays <= 1000)) {
  process.stderr.write(
    `ingest-full: --span-days: expected days between 0 and 1000 (got "${option('--span-days')}")\n`,
  );
  process.exit(2);
}
/** Rows per INSERT … SELECT: one transaction each, small enough for its undo log. */
const CHUNK_ROWS = 500_000;
const LINE_TABLES = ['raw_log', 'clean_log', 'rejected_log'] as const;
const ROLLUP_TABLES = ['rollup_minute', 'rollup_hour', 'rollup_top', 'rollup_counted'] as const;

const say = (text: string): void => void process.stderr.write(`${text}\n`);
const n = (value: number): string => Math.round(value).toLocaleString('en-US');

async function connect(database?: string): Promise<mysql.Connection> {
  const connection = await mysql.createConnection({
    host,
    user,
    password,
    ...(database === undefined ? {} : { database }),
    timezone: 'Z',
  });
  await connection.query("SET time_zone = '+00:00'");
  return connection;
}

/** `lograbbit setup` on `database`: the schema (migrations) and the day partitions, as users make them. */
async function setup(database: string): Promise<void> {
  const child = spawn(process.execPath, [COMPILED_CLI, 'setup'], {
    env: {
      PATH: process.env.PATH ?? '',
      DB_HOST: host,
      DB_PORT: '3306',
      DB_USER: user,
      DB_PASSWORD: password,
      DB_NAME: database,
      RABBIT_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`lograbbit setup of ${database} exited with ${code}`);
}

/* Values of a row, from hashes of its number n (deterministic, so that a derived table may be merged). */
const AGENTS = [
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Chrome',
    '131.0.0.0',
    'Windows 10',
    'desktop',
    0,
  ],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    'Safari',
    '18.1',
    'macOS',
    'desktop',
    0,
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    'Mobile Safari',
    '18.1',
    'iOS 18.1',
    'mobile',
    0,
  ],
  [
    'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.39 Mobile Safari/537.36',
    'Chrome',
    '131.0.6778.39',
    'Android 14',
    'mobile',
    0,
  ],
  [
    'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
    'Firefox',
    '133.0',
    'Ubuntu',
    'desktop',
    0,
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    'Edge',
    '131.0.0.0',
    'Windows 10',
    'desktop',
    0,
  ],
  [
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Googlebot',
    '2.1',
    null,
    'bot',
    1,
  ],
  ['curl/8.5.0', 'curl', '8.5.0', null, 'bot', 1],
] as const;
const COUNTRIES = [
  ['United States', 'US', 'Ashburn'],
  ['Germany', 'DE', 'Frankfurt am Main'],
  ['France', 'FR', 'Paris'],
  ['India', 'IN', 'Mumbai'],
  ['Brazil', 'BR', 'São Paulo'],
  ['Japan', 'JP', 'Tokyo'],
  ['United Kingdom', 'GB', 'London'],
  ['Canada', 'CA', 'Toronto'],
] as const;
const STATUSES = [
  [200, 'OK'],
  [200, 'OK'],
  [200, 'OK'],
  [200, 'OK'],
  [200, 'OK'],
  [200, 'OK'],
  [304, 'Not Modified'],
  [301, 'Moved Permanently'],
  [404, 'Not Found'],
  [404, 'Not Found'],
  [403, 'Forbidden'],
  [500, 'Internal Server Error'],
  [502, 'Bad Gateway'],
] as const;

const quote = (value: string | number | null): string =>
  value === null ? 'NULL' : typeof value === 'number' ? String(value) : mysql.escape(value);
/** `ELT(1 + key MOD count, …)`: the value of `column` in `list` picked by `key`. */
function pick<T extends readonly (string | number | null)[]>(
  list: readonly T[],
  column: number,
  key: string,
): string {
  return `ELT(1 + ${key} MOD ${list.length}, ${list.map((entry) => quote(entry[column] ?? null)).join(', ')})`;
}

/**
 * Rows `base + 1` … `base + count` of clean_log: row n at `endS - (total - n) * step` seconds, so
 * rows are in time order across chunks. h1 … h5 are independent hashes of n.
 */
async function fillCleanChunk(
  sql: mysql.Connection,
  base: number,
  count: number,
  total: number,
  endS: number,
): Promise<void> {
  const stepS = (spanDays * DAY_S) / total;
  const hashes = `SELECT ? + seq AS n, CRC32(CONCAT('a', seq + ?)) AS h1, CRC32(CONCAT('b', seq + ?)) AS h2,
      CRC32(CONCAT('c', seq + ?)) AS h3, CRC32(CONCAT('d', seq + ?)) AS h4, CRC32(CONCAT('e', seq + ?)) AS h5
    FROM seq_1_to_${count}`;
  const row = `SELECT n, h1, h2, h3, h4, h5, FROM_UNIXTIME(? - (? - n) * ?) AS ts,
      ELT(1 + n MOD 5, 'www', 'api', 'shop', 'blog', 'cdn') AS src,
      CONCAT('/', ELT(1 + h3 MOD 7, 'blog', 'shop', 'api/v1', 'static', 'docs', 'products', 'account'), '/',
        ELT(1 + (h3 DIV 7) MOD 5, 'page', 'item', 'article', 'img', 'search'), '-',
        FLOOR(POW(((h3 DIV 35) MOD 10000) / 10000, 2) * 5000)) AS path,
      IF(h4 MOD 5 = 0, CONCAT('utm_source=', ELT(1 + (h4 DIV 5) MOD 3, 'newsletter', 'twitter', 'ads'), '&id=', h4 MOD 100000), NULL) AS query,
      (h4 DIV 11) MOD ${AGENTS.length} AS agent, (h5 DIV 7) MOD ${STATUSES.length} AS status_key
    FROM (${hashes}) hashed`;
  const statusOf = pick(STATUSES, 0, 'status_key');
  await sql.query(
    `INSERT INTO clean_log (event_id, source, format, ts, utc_offset_min, ip, country, country_code, city, user,
       is_email, method, url, scheme, host, path, query, http_version, status, status_text, bytes, referrer,
       user_agent, referrer_host, browser, browser_version, os, device, is_bot, geo_db)
     SELECT CONCAT(UNHEX(LEFT(SHA2(CONCAT(src, '.log/', DATE(ts)), 256), 16)), UNHEX(LPAD(HEX((n DIV 5) * 250), 16, '0'))),
       src, 'combined', ts, 0,
       CONCAT(1 + h1 MOD 223, '.', (h1 DIV 223) MOD 256, '.', h2 MOD 256, '.', (h2 DIV 256) MOD 256),
       ${pick(COUNTRIES, 0, 'h2')}, ${pick(COUNTRIES, 1, 'h2')}, ${pick(COUNTRIES, 2, 'h2')},
       IF(h5 MOD 33 = 0, CONCAT('user', h5 MOD 1000), NULL), 0,
       IF(h5 MOD 10 = 0, 'POST', 'GET'), IF(query IS NULL, path, CONCAT(path, '?', query)), NULL,
       CONCAT(src, '.example.com'), path, query, 'HTTP/1.1', ${statusOf}, ${pick(STATUSES, 1, 'status_key')},
       IF(${statusOf} = 304, 0, h5 MOD 60000),
       ELT(1 + h4 MOD 10, 'https://www.google.com/', 'https://www.google.com/', 'https://www.bing.com/',
         CONCAT('https://', src, '.example.com/blog/'), NULL, NULL, NULL, NULL, NULL, NULL),
       ${pick(AGENTS, 0, 'agent')},
       ELT(1 + h4 MOD 10, 'www.google.com', 'www.google.com', 'www.bing.com', CONCAT(src, '.example.com'), NULL, NULL, NULL, NULL, NULL, NULL),
       ${pick(AGENTS, 1, 'agent')}, ${pick(AGENTS, 2, 'agent')}, ${pick(AGENTS, 3, 'agent')},
       ${pick(AGENTS, 4, 'agent')}, ${pick(AGENTS, 5, 'agent')}, 'dbip-city-lite'
     FROM (${row}) r`,
    // In the order of the text: the row's time, then the hashes' base.
    [endS, total, stepS, base, base, base, base, base, base],
  );
}

/** The raw lines of the clean rows in (afterTs, uptoTs], rebuilt as the web server wrote them. */
async function fillRawChunk(sql: mysql.Connection, afterTs: string, uptoTs: string): Promise<void> {
  await sql.query(
    `INSERT INTO raw_log (event_id, source, received_at, ts, day, line, truncated)
     SELECT event_id, source, ts + INTERVAL 1 SECOND, ts, DATE(ts),
       CONCAT(ip, ' - ', IFNULL(user, '-'), ' [', DATE_FORMAT(ts, '%d/%b/%Y:%H:%i:%s +0000'), '] "', method, ' ',
         url, ' ', http_version, '" ', status, ' ', bytes, ' "', IFNULL(referrer, '-'), '" "', user_agent, '"'), 0
     FROM clean_log WHERE ts > ? AND ts <= ?`,
    [afterTs, uptoTs],
  );
}

async function count(sql: mysql.Connection, table: string): Promise<number> {
  const [[row]] = await sql.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${table}\``);
  return Number(row?.n ?? 0);
}

/** Fills the full database unless it has rows; returns its clean_log rows. */
async function fill(): Promise<number> {
  const admin = await connect();
  if (!reuse) await admin.query(`DROP DATABASE IF EXISTS \`${FULL}\``);
  await admin.end();
  await setup(FULL);
  const sql = await connect(FULL);
  try {
    const existing = await count(sql, 'clean_log');
    if (existing > 0) {
      say(`fill: reusing ${n(existing)} rows of ${FULL}`);
      return existing;
    }
    const endS = Math.floor(Date.now() / 1000);
    const started = performance.now();
    let lastTs = '1000-01-01 00:00:00';
    for (let base = 0; base < rowsWanted; base += CHUNK_ROWS) {
      const chunk = Math.min(CHUNK_ROWS, rowsWanted - base);
      await fillCleanChunk(sql, base, chunk, rowsWanted, endS);
      const [[last]] = await sql.query<mysql.RowDataPacket[]>(
        "SELECT DATE_FORMAT(MAX(ts), '%Y-%m-%d %H:%i:%s.%f') AS ts FROM clean_log",
      );
      const uptoTs = String(last?.ts);
      await fillRawChunk(sql, lastTs, uptoTs);
      lastTs = uptoTs;
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(
        `\rfill: ${n(base + chunk)} rows in each table, ${seconds.toFixed(0)} s (${n((base + chunk) / seconds)} rows/s)   `,
      );
    }
    const seconds = (performance.now() - started) / 1000;
    say(`\nfill: ${n(rowsWanted)} rows in clean_log and raw_log in ${seconds.toFixed(0)} s`);
    return rowsWanted;
  } finally {
    await sql.end();
  }
}

/** A simulated file of `count` lines of the last minutes (200 a second, ending now): today's partition. */
async function writeRecentLog(path: string, count: number): Promise<void> {
  const linesPerSecond = 200;
  const simulator = createTrafficSimulator({
    seed: 2026,
    startMs: Date.now() - (count / linesPerSecond) * 1000,
    format: 'combined',
    linesPerSecond,
  });
  await writeFile(path, `${simulator.take(count).join('\n')}\n`);
}

async function globalStatus(sql: mysql.Connection, names: readonly string[]): Promise<Map<string, number>> {
  const [rows] = await sql.query<mysql.RowDataPacket[]>(
    `SHOW GLOBAL STATUS WHERE Variable_name IN (${names.map(() => '?').join(', ')})`,
    [...names],
  );
  return new Map(rows.map((row) => [String(row.Variable_name), Number(row.Value)]));
}

/**
 * Waits (up to 60 s) until InnoDB has written back most dirty pages (under 5% of the buffer pool, or
 * no fewer for 3 s), so that a run does not pay for the flushing of the fill or of the run before.
 */
async function settle(sql: mysql.Connection): Promise<void> {
  const started = performance.now();
  let lowest = { dirty: Infinity, at: started };
  for (;;) {
    const status = await globalStatus(sql, [
      'Innodb_buffer_pool_pages_dirty',
      'Innodb_buffer_pool_pages_total',
    ]);
    const dirty = status.get('Innodb_buffer_pool_pages_dirty') ?? 0;
    const now = performance.now();
    if (dirty < lowest.dirty) lowest = { dirty, at: now };
    const total = status.get('Innodb_buffer_pool_pages_total') ?? 1;
    if (dirty < 0.05 * total || now - lowest.at > 3000 || now - started > 60_000) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Pages of the buffer pool held by each index of `database`, most first (8,192 pages of 16 KiB here). */
async function bufferPoolByIndex(sql: mysql.Connection, database: string): Promise<string> {
  const [rows] = await sql.query<mysql.RowDataPacket[]>(
    `SELECT TABLE_NAME AS name, INDEX_NAME AS idx, COUNT(*) AS pages FROM information_schema.INNODB_BUFFER_PAGE
      WHERE TABLE_NAME LIKE ? GROUP BY TABLE_NAME, INDEX_NAME`,
    [`\`${database}\`.%`],
  );
  // One row per partition: summed per index (the name reads "`db`.`table` /* Partition `p…` */").
  const pages = new Map<string, number>();
  for (const row of rows) {
    const table = String(row.name).replace(/^`[^`]+`\.`([^`]+)`.*$/, '$1');
    const key = `${table}.${row.idx}`;
    pages.set(key, (pages.get(key) ?? 0) + Number(row.pages));
  }
  return [...pages]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([index, count]) => `${index} ${count}`)
    .join(', ');
}

interface Run {
  readonly label: string;
  readonly result: EndToEndResult;
  readonly diskReads: number;
  readonly loadAverage: number;
  readonly inPool: string;
}

const ENV_DB = { DB_HOST: host, DB_PORT: '3306', DB_USER: user, DB_PASSWORD: password };

/** One end-to-end run of `path` into `database` under a source of its own. */
async function runInto(
  env: Record<string, string>,
  label: string,
  database: string,
  path: string,
  source: string,
  sql: mysql.Connection,
): Promise<Run> {
  await settle(sql);
  const before = await globalStatus(sql, ['Innodb_buffer_pool_reads']);
  const result = await benchEndToEnd({
    env: { ...env, ...ENV_DB, DB_NAME: database },
    path,
    lines,
    consumers: 1,
    producerArgs: [],
    consumerArgs: [],
    source,
  });
  const after = await globalStatus(sql, ['Innodb_buffer_pool_reads']);
  const run: Run = {
    label,
    result,
    diskReads: (after.get('Innodb_buffer_pool_reads') ?? 0) - (before.get('Innodb_buffer_pool_reads') ?? 0),
    loadAverage: os.loadavg()[0] ?? 0,
    inPool: await bufferPoolByIndex(sql, database),
  };
  say(
    `${label}: ${n(result.linesPerSecond)} lines/s (${result.seconds.toFixed(1)} s), ${n(run.diskReads)} page reads from disk, load ${run.loadAverage.toFixed(1)}`,
  );
  return run;
}

/** Bytes per stored line of each table of `database`, data and indexes apart, over exact counts. */
async function bytesPerLine(
  sql: mysql.Connection,
  database: string,
  withRollups: boolean,
): Promise<string[]> {
  await sql.query(`USE \`${database}\``);
  const tables = [...LINE_TABLES, ...(withRollups ? ROLLUP_TABLES : [])];
  await sql.query(`ANALYZE TABLE ${tables.join(', ')}`);
  const [rows] = await sql.query<mysql.RowDataPacket[]>(
    `SELECT TABLE_NAME AS name, DATA_LENGTH AS data, INDEX_LENGTH AS idx FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (${tables.map(() => '?').join(', ')})`,
    [database, ...tables],
  );
  // The rollups summarize the lines of clean_log: their bytes are per line stored there.
  const counts = new Map<string, number>();
  for (const table of LINE_TABLES) counts.set(table, await count(sql, table));
  const lineRows = counts.get('clean_log') ?? 0;
  const out: string[] = [];
  for (const table of tables) {
    const row = rows.find((each) => each.name === table);
    const rowsOf = table.startsWith('rollup') ? lineRows : (counts.get(table) ?? 0);
    if (row === undefined || rowsOf === 0) continue;
    const data = Number(row.data) / rowsOf;
    const index = Number(row.idx) / rowsOf;
    out.push(
      `| ${database} | ${table} | ${n(rowsOf)}${table.startsWith('rollup') ? ' lines' : ''} | ${data.toFixed(1)} | ${index.toFixed(1)} | ${(data + index).toFixed(1)} |`,
    );
  }
  return out;
}

/** The bytes a table's files take on disk (after hole punching) and as InnoDB counts them. */
async function tableBytes(
  sql: mysql.Connection,
  database: string,
  table: string,
): Promise<{ allocated: number; length: number }> {
  await sql.query(`ANALYZE TABLE \`${database}\`.\`${table}\``);
  // Page compression happens as pages are written: write this table's pages out before measuring.
  await sql.query(`FLUSH TABLES \`${database}\`.\`${table}\` FOR EXPORT`);
  await sql.query('UNLOCK TABLES');
  const [[files]] = await sql.query<mysql.RowDataPacket[]>(
    `SELECT SUM(ALLOCATED_SIZE) AS allocated FROM information_schema.INNODB_SYS_TABLESPACES WHERE NAME LIKE ?`,
    [`${database}/${table}#P#%`],
  );
  const [[lengths]] = await sql.query<mysql.RowDataPacket[]>(
    `SELECT DATA_LENGTH + INDEX_LENGTH AS length FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
    [database, table],
  );
  return { allocated: Number(files?.allocated ?? 0), length: Number(lengths?.length ?? 0) };
}

/** The same raw lines (the last `days` days of the full raw_log) in a plain and two compressed copies. */
async function compressionSizes(sql: mysql.Connection, days: number): Promise<string[]> {
  const variants: Array<[string, string]> = [
    ['raw_log_plain', ''],
    ['raw_log_zip8', 'ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8'],
    ['raw_log_page', 'PAGE_COMPRESSED=1'],
  ];
  const out: string[] = [];
  for (const [table, options] of variants) {
    await sql.query(`DROP TABLE IF EXISTS \`${FULL}\`.\`${table}\``);
    await sql.query(`CREATE TABLE \`${FULL}\`.\`${table}\` LIKE \`${FULL}\`.raw_log`);
    if (options !== '') await sql.query(`ALTER TABLE \`${FULL}\`.\`${table}\` ${options}`);
    const started = performance.now();
    const [copied] = await sql.query<mysql.ResultSetHeader>(
      `INSERT INTO \`${FULL}\`.\`${table}\` (event_id, source, received_at, ts, day, line, truncated)
       SELECT event_id, source, received_at, ts, day, line, truncated FROM \`${FULL}\`.raw_log
        WHERE day >= UTC_DATE() - INTERVAL ? DAY`,
      [days - 1],
    );
    const seconds = (performance.now() - started) / 1000;
    const bytes = await tableBytes(sql, FULL, table);
    const rows = copied.affectedRows;
    out.push(
      `| ${table} ${options || '(DYNAMIC)'} | ${n(rows)} | ${(bytes.length / rows).toFixed(1)} | ${(bytes.allocated / rows).toFixed(1)} | ${seconds.toFixed(0)} s (${n(rows / seconds)} rows/s) |`,
    );
    say(out.at(-1) ?? '');
  }
  for (const [table] of variants) await sql.query(`DROP TABLE IF EXISTS \`${FULL}\`.\`${table}\``);
  return out;
}

function runTable(pairs: readonly Run[]): string[] {
  const out = [
    '| run | into | lines/s | seconds | page reads from disk | load (1 min) | most pages in the buffer pool |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [i, run] of pairs.entries()) {
    out.push(
      `| ${i + 1} | ${run.label} | ${n(run.result.linesPerSecond)} | ${run.result.seconds.toFixed(1)} | ${n(run.diskReads)} | ${run.loadAverage.toFixed(1)} | ${run.inPool} |`,
    );
  }
  return out;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

async function main(): Promise<void> {
  const filled = await fill();
  const services = await createTestServices('ingest_full');
  const dir = await mkdtemp(join(os.tmpdir(), 'lograbbit-ingest-full-'));
  const sql = await connect();
  const report: string[] = [];
  try {
    const path = join(dir, 'access.log');
    await writeRecentLog(path, lines);
    const dropEmpty = (): Promise<unknown> => sql.query(`DROP DATABASE IF EXISTS \`${EMPTY}\``);
    const all: Run[] = [];
    let runNo = 0;
    const dropIndex = async (database: string): Promise<void> => {
      if (withoutIndex === undefined) return;
      const [found] = await sql.query<mysql.RowDataPacket[]>(
        'SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = ?',
        [database, 'clean_log', withoutIndex],
      );
      if (found.length > 0)
        await sql.query(`ALTER TABLE \`${database}\`.clean_log DROP INDEX \`${withoutIndex}\``);
    };
    await dropIndex(FULL);
    for (let i = 0; i < runs; i++) {
      await dropEmpty();
      if (withoutIndex !== undefined) await setup(EMPTY);
      await dropIndex(EMPTY);
      all.push(await runInto(services.env, 'empty', EMPTY, path, `bench-${Date.now()}-${runNo++}`, sql));
      all.push(
        await runInto(services.env, `full (${n(filled)})`, FULL, path, `bench-${Date.now()}-${runNo++}`, sql),
      );
    }
    if (all.length > 0) {
      const rate = (label: string): number =>
        median(all.filter((run) => run.label.startsWith(label)).map((run) => run.result.linesPerSecond));
      report.push(
        `${n(lines)} lines a run, ${runs} run(s) each side, in turns; clean_log of the full database: ${n(filled)} rows`,
        ...runTable(all),
        `median full ${n(rate('full'))} / empty ${n(rate('empty'))} lines/s = ${(rate('full') / rate('empty')).toFixed(2)}`,
        '',
        '| database | table | rows | data B/line | index B/line | total B/line |',
        '| --- | --- | --- | --- | --- | --- |',
        ...(await bytesPerLine(sql, EMPTY, true)),
        // The full database's rollups hold only the runs' lines (the fill writes lines alone).
        ...(await bytesPerLine(sql, FULL, false)),
      );
    }
    if (compress) {
      report.push(
        '',
        '| copy of the last 2 days of the full raw_log | rows | (data + index) B/line | on disk (allocated) B/line | copy |',
        '| --- | --- | --- | --- | --- |',
        ...(await compressionSizes(sql, 2)),
      );
      const compressed: Run[] = [];
      for (const [label, options] of [
        ['empty, raw_log DYNAMIC', ''],
        ['empty, raw_log COMPRESSED 8K', 'ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8'],
        ['empty, raw_log PAGE_COMPRESSED', 'PAGE_COMPRESSED=1'],
      ] as const) {
        await dropEmpty();
        await setup(EMPTY);
        if (options !== '') await sql.query(`ALTER TABLE \`${EMPTY}\`.raw_log ${options}`);
        compressed.push(
          await runInto(services.env, label, EMPTY, path, `bench-${Date.now()}-${runNo++}`, sql),
        );
        const bytes = await tableBytes(sql, EMPTY, 'raw_log');
        say(
          `  raw_log: ${(bytes.length / lines).toFixed(1)} B/line (InnoDB), ${(bytes.allocated / lines).toFixed(1)} on disk`,
        );
      }
      report.push('', ...runTable(compressed));
    }
    process.stdout.write(`\n${report.join('\n')}\n`);
  } finally {
    await sql.query(`DROP DATABASE IF EXISTS \`${EMPTY}\``);
    if (!keep) await sql.query(`DROP DATABASE IF EXISTS \`${FULL}\``);
    await sql.end();
    await rm(dir, { recursive: true, force: true });
    await services.teardown();
  }
}

await main();
