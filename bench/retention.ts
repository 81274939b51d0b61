/**
 * Benchmark: what retention costs as the tables grow (issue 15).
 *
 *   node --import tsx bench/retention.ts [--rows 10000000] [--database NAME] [--reuse]
 *
 * 1. Migration: a scratch database (`lograbbit_bench_retention` on the local MariaDB; DB_HOST,
 *    DB_USER, DB_PASSWORD from the environment) is made at the schema before partitioning (migrations
 *    up to 0005) and filled with `--rows` rows in clean_log and as many in raw_log, spread over the
 *    30 days before now (one raw line in 1,000 without a time); then the remaining migrations and
 *    `setup`'s split into day partitions are timed, with the tables' size before and after.
 *    `--reuse` skips making and filling when the database already has the rows at that schema.
 * 2. Prune: one day dropped at the table's full size, then again after the history is cut to about
 *    half and to about a tenth, each timed (the whole `prune`: horizon, partitions, untimed lines).
 * The database is left for a look afterwards; drop it by hand.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { drizzle, migrate } from '../src/store/drizzle.js';
import {
  MIGRATIONS_FOLDER,
  ensureDayPartitions,
  openStore,
  prune,
  readPartitions,
} from '../src/store/index.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};
const rowsWanted = Number(option('--rows') ?? 0) || 10_000_000;
const DATABASE = option('--database') ?? 'lograbbit_bench_retention';
const reuse = args.includes('--reuse');
const host = process.env.DB_HOST ?? '127.0.0.1';
const user = process.env.DB_USER ?? 'root';
const password = process.env.DB_PASSWORD ?? '';
const DAY_MS = 86_400_000;
/** The last migration before the line tables were partitioned. */
const LAST_UNPARTITIONED = 5;
const CHUNK_ROWS = 1_000_000;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** The migrations folder as it was before partitioning: the files and a journal up to 0005. */
async function unpartitionedMigrations(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'lograbbit-bench-migrations-'));
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: Array<{ idx: number }> };
  journal.entries = journal.entries.filter((entry) => entry.idx <= LAST_UNPARTITIONED);
  await writeFile(journalPath, JSON.stringify(journal));
  return folder;
}

/** Rows `base`…`base + 999,999` of both tables, one every 259 ms back from `endMs` (30 days per 10M). */
async function fillChunk(pool: mysql.Pool, base: number, total: number, endMs: number): Promise<void> {
  const connection = await pool.getConnection();
  try {
    await connection.query('CREATE TEMPORARY TABLE IF NOT EXISTS digits (i INT PRIMARY KEY)');
    await connection.query('INSERT IGNORE INTO digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)');
    const numbers = `(SELECT ? + a.i + 10*b.i + 100*c.i + 1000*d.i + 10000*e.i + 100000*f.i AS n
      FROM digits a, digits b, digits c, digits d, digits e, digits f) s`;
    const id = `CONCAT(UNHEX(LEFT(SHA2(CONCAT('s', n DIV 100000), 256), 16)), UNHEX(LPAD(HEX((n MOD 100000) * 180), 16, '0')))`;
    const ts = `FROM_UNIXTIME(? - (? - n) * 0.259)`;
    await connection.query("SET time_zone = '+00:00'");
    await connection.query(
      `INSERT INTO clean_log (event_id, source, format, ts, utc_offset_min, ip, is_email, method, url, host, path,
         http_version, status, status_text, bytes, referrer, user_agent, browser, os, device, is_bot)
       SELECT ${id}, ELT(1 + n MOD 5, 'www','api','shop','blog','cdn'), 'combined', ${ts}, 0,
         CONCAT('10.', (n * 7) MOD 256, '.', (n * 13) MOD 256, '.', n MOD 200), 0, 'GET',
         CONCAT('/p/', n MOD 2000), 'example.com', CONCAT('/p/', n MOD 2000), 'HTTP/1.1',
         ELT(1 + n MOD 8, 200,200,200,200,304,404,301,500), 'OK', 1000 + n MOD 50000, 'https://ref.example/',
         'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
         'Chrome', 'Linux', 'desktop', 0
       FROM ${numbers}`,
      [endMs / 1000, total, base],
    );
    await connection.query(
      `INSERT INTO raw_log (event_id, source, received_at, ts, line, truncated)
       SELECT ${id}, ELT(1 + n MOD 5, 'www','api','shop','blog','cdn'), ${ts} + INTERVAL 1 SECOND,
         IF(n MOD 1000 = 0, NULL, ${ts}),
         CONCAT('10.', (n * 7) MOD 256, '.', (n * 13) MOD 256, '.', n MOD 200,
           ' - - [04/Dec/2026:10:00:00 +0000] "GET /p/', n MOD 2000, ' HTTP/1.1" 200 ', 1000 + n MOD 50000,
           ' "https://ref.example/" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"'),
         0
       FROM ${numbers}`,
      [endMs / 1000, total, endMs / 1000, total, base],
    );
  } finally {
    connection.release();
  }
}

/** Bytes of the line tables (data and indexes), after fresh statistics. */
async function sizeOf(pool: mysql.Pool): Promise<number> {
  await pool.query('ANALYZE TABLE raw_log, clean_log, rejected_log');
  const [rows] = await pool.query<mysql.RowDataPacket[]>(
    `SELECT SUM(DATA_LENGTH + INDEX_LENGTH) AS bytes FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('raw_log', 'clean_log', 'rejected_log')`,
  );
  return Number(rows[0]?.bytes ?? 0);
}

async function count(pool: mysql.Pool, table: string): Promise<number> {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(rows[0]?.n ?? 0);
}

async function main(): Promise<void> {
  const admin = await mysql.createConnection({ host, user, password });
  if (!reuse) {
    await admin.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
    await admin.query(`CREATE DATABASE \`${DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  }
  await admin.end();
  const pool = mysql.createPool({
    host,
    user,
    password,
    database: DATABASE,
    timezone: 'Z',
    connectionLimit: 4,
  });
  const db = drizzle({ client: pool });
  try {
    const endMs = Date.now();
    if (!reuse) {
      const folder = await unpartitionedMigrations();
      await migrate(db, { migrationsFolder: folder });
      await rm(folder, { recursive: true, force: true });
      const started = performance.now();
      for (let base = 0; base < rowsWanted; base += CHUNK_ROWS) {
        await fillChunk(pool, base, rowsWanted, endMs);
        process.stderr.write(`\rfilled ${(base + CHUNK_ROWS).toLocaleString('en-US')} rows per table`);
      }
      process.stderr.write(` in ${seconds(performance.now() - started)}\n`);
    }
    const rows = { clean: await count(pool, 'clean_log'), raw: await count(pool, 'raw_log') };
    const sizeBefore = await sizeOf(pool);
    let started = performance.now();
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    const migrateMs = performance.now() - started;
    const sizeMigrated = await sizeOf(pool);
    started = performance.now();
    await ensureDayPartitions(pool);
    const splitMs = performance.now() - started;
    const sizeAfter = await sizeOf(pool);
    const days = (await readPartitions(pool, 'clean_log')).length - 2;
    process.stdout.write(
      `migration of clean_log ${rows.clean.toLocaleString('en-US')} rows, raw_log ${rows.raw.toLocaleString('en-US')} rows:\n` +
        `  migrations (key + day column + 2 partitions): ${seconds(migrateMs)}\n` +
        `  setup's split into ${days} day partitions:     ${seconds(splitMs)}\n` +
        `  size of the line tables: ${mib(sizeBefore)} before, ${mib(sizeMigrated)} migrated, ${mib(sizeAfter)} split\n`,
    );

    // Prune of one day, at the full size and after cutting the history to about a half and a tenth.
    const store = await openStore(
      { host, port: 3306, database: DATABASE, user, password, address: DATABASE },
      { timeoutMs: 5000, setup: false },
    );
    try {
      const oldestMs = endMs - 30 * DAY_MS;
      const pruneAt = async (daysBack: number): Promise<void> => {
        // A horizon that makes exactly the oldest remaining day (daysBack before now) old.
        const rowsNow = await count(pool, 'clean_log');
        const at = performance.now();
        const report = await prune(store.db, {
          keepMs: (daysBack - 1) * DAY_MS,
          keepRollupsMs: 400 * DAY_MS,
        });
        const ms = performance.now() - at;
        const dropped = report.tables.find((table) => table.table === 'clean_log');
        process.stdout.write(
          `prune at clean_log ${rowsNow.toLocaleString('en-US')} rows: ${seconds(ms)} ` +
            `(${dropped?.days.length ?? 0} partitions before ${report.linesFrom}, about ${(dropped?.rowsEstimate ?? 0).toLocaleString('en-US')} rows)\n`,
        );
      };
      const daysStored = Math.ceil((endMs - oldestMs) / DAY_MS);
      await pruneAt(daysStored);
      await prune(store.db, { keepMs: 16 * DAY_MS, keepRollupsMs: 400 * DAY_MS });
      await pruneAt(16);
      await prune(store.db, { keepMs: 4 * DAY_MS, keepRollupsMs: 400 * DAY_MS });
      await pruneAt(4);
    } finally {
      await store.close();
    }
  } finally {
    await pool.end();
  }
}

await main();
