/**
 * The rollups stay the sum of the lines, counted once, through what changes the lines: late lines of
 * an old month, a file read again batched otherwise, a file grown and read again, the lines pruned
 * and the file read again, and a database upgraded from before the rollups (migration 0007 counts
 * what is stored). Redelivery, kill -9 and competing consumers are the guarantee tests': each of them
 * ends with the same check (assertExactlyOnce → assertRollupsMatchLines).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { compactTopValues } from '../../src/store/rollup/top-compaction.js';
import { ROLLUP_TABLES } from '../../src/store/rollup-queries.js';
import { DB_HOST, createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { runCli } from '../helpers/cli.js';
import { assertRollupsMatchLines } from '../helpers/rollups.js';

let services: TestServices;
let dir: string;

before(async () => {
  services = await createTestServices('rollups');
  const setup = await runCli(['setup'], { env: services.env });
  assert.equal(setup.code, 0, setup.stderr);
  dir = await mkdtemp(join(tmpdir(), 'lograbbit-rollups-'));
});

after(async () => {
  await services?.teardown();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'curl/8.4.0',
  '-',
];
const STATUSES = [200, 200, 200, 304, 404, 500, 301, 101];

const pad = (value: number): string => String(value).padStart(2, '0');

/** A time as the common log format writes it, in UTC. */
function logTime(at: Date): string {
  return `${pad(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`;
}

/** A request by curl for `path` at `atMs`, its size and address made from `index`. */
function curlLine(index: number, atMs: number, path: string): string {
  return `10.9.${index % 5}.${index % 97} - - [${logTime(new Date(atMs))}] "GET ${path} HTTP/1.1" 200 ${index} "-" "curl/8"`;
}

/** A pool on the test's database, as the consumer opens it (compaction takes one). */
function rootPool(): mysql.Pool {
  return mysql.createPool({
    host: DB_HOST,
    user: 'root',
    database: services.database,
    timezone: 'Z',
    supportBigNumbers: true,
  });
}

/** `count` combined-format lines from `startMs`, `stepMs` apart, varied in address, path, status and agent. */
function linesFrom(startMs: number, count: number, stepMs: number, seed: number): string {
  const out: string[] = [];
  for (let index = 0; index < count; index++) {
    const time = logTime(new Date(startMs + index * stepMs));
    const n = index * 7 + seed;
    const status = STATUSES[n % STATUSES.length];
    const path =
      n % 11 === 0 ? `/Caps/${n % 3}` : n % 13 === 0 ? `/caps/${n % 3}` : `/page/${n % 17}?q=${n % 5}`;
    const agent = AGENTS[n % AGENTS.length];
    const user = n % 9 === 0 ? `user${n % 4}` : '-';
    out.push(
      `10.${seed}.${n % 7}.${n % 41} - ${user} [${time}] "GET ${path} HTTP/1.1" ${status} ${(n * 37) % 5000} "https://ref${n % 3}.example/" "${agent}"`,
    );
  }
  return `${out.join('\n')}\n`;
}

async function ingest(file: string, ...options: string[]): Promise<void> {
  const result = await runCli(['ingest', file, '--no-geo', ...options], { env: services.env });
  assert.equal(result.code, 0, result.stderr);
}

/** The rollup tables as they are, to compare before and after something that must change nothing. */
async function rollupState(): Promise<string> {
  const sql = await services.sql();
  const parts: string[] = [];
  for (const table of ['rollup_minute', 'rollup_hour', 'rollup_day', 'rollup_top', 'rollup_top_day']) {
    const [rows] = await sql.query<RowDataPacket[]>(`SELECT * FROM ${table} ORDER BY 1, 2, 3, 4`);
    parts.push(
      JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)),
    );
  }
  return parts.join('\n');
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const now = Date.UTC(2026, 11, 4, 9, 0, 0);

describe('rollups: the sum of the lines, each counted once', () => {
  test('a day of lines, then late lines of last month: each bucket is the sum of its lines', async () => {
    const today = join(dir, 'today.log');
    await writeFile(today, linesFrom(now, 3000, 20_000, 1));
    await ingest(today);
    await assertRollupsMatchLines(services);
    const late = join(dir, 'late.log');
    await writeFile(late, linesFrom(now - 31 * DAY_MS, 500, 7_000, 2));
    await ingest(late);
    await assertRollupsMatchLines(services);
  });

  test('the same file read again in batches of another size counts nothing twice', async () => {
    const before = await rollupState();
    await ingest(join(dir, 'today.log'), '--batch-lines', '7');
    assert.equal(await rollupState(), before);
    await assertRollupsMatchLines(services);
  });

  test('a file grown since it was read: only its new lines are counted', async () => {
    const grown = join(dir, 'grown.log');
    await writeFile(grown, linesFrom(now + DAY_MS, 800, 30_000, 3));
    await ingest(grown, '--batch-lines', '50');
    await appendFile(grown, linesFrom(now + DAY_MS + 800 * 30_000, 400, 30_000, 4));
    await ingest(grown, '--batch-lines', '33');
    await assertRollupsMatchLines(services);
  });

  test('lines pruned, then their file read again: stored again, counted once', async () => {
    const sql = await services.sql();
    const before = await rollupState();
    for (const table of ['raw_log', 'clean_log', 'rejected_log']) {
      await sql.query(`DELETE FROM ${table} WHERE source = 'today.log'`);
    }
    await ingest(join(dir, 'today.log'), '--batch-lines', '64');
    assert.equal(await rollupState(), before, 'the rollups did not move');
    await assertRollupsMatchLines(services);
  });

  test('a database from before the rollups: the migration counts its lines, setup fills the visitors', async () => {
    const sql = await services.sql();
    const expected = await rollupState();
    // Back to the schema of migration 0006: the rollup tables gone, 0009's address index undone, and
    // 0007 to 0009 not applied.
    for (const table of [...ROLLUP_TABLES, 'rollup_state']) {
      await sql.query(`DROP TABLE ${table}`);
    }
    await sql.query(
      'ALTER TABLE clean_log DROP INDEX clean_log_hour_ip_ts, DROP COLUMN ts_hour, ADD INDEX clean_log_ip_ts (ip, ts)',
    );
    const [migrations] = await sql.query<RowDataPacket[]>(
      'SELECT id FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 3',
    );
    await sql.query('DELETE FROM __drizzle_migrations WHERE id IN (?)', [
      migrations.map((row) => row.id as number),
    ]);
    const setup = await runCli(['setup'], { env: services.env });
    assert.equal(setup.code, 0, setup.stderr);
    await assertRollupsMatchLines(services);
    assert.equal(await rollupState(), expected, 'the same rollups as the consumers had made');
    // And the upgraded database counts on: a re-read adds nothing, new lines are counted.
    await ingest(join(dir, 'grown.log'));
    const next = join(dir, 'next.log');
    await writeFile(next, linesFrom(now + 2 * DAY_MS, 300, 60_000, 5));
    await ingest(next);
    await assertRollupsMatchLines(services);
  });

  test('a closed hour of many paths keeps its 200 most requested exactly, the rest in one "other" row', async () => {
    const crowded = join(dir, 'crowded.log');
    const hourStart = now - 3 * DAY_MS;
    const lines: string[] = [];
    for (let index = 0; index < 2000; index++) {
      // Path k is requested about 1/k as often: a long tail, as on a real site.
      const path = `/item/${Math.floor(600 / (1 + (index % 600)))}-${index % 451}`;
      lines.push(curlLine(index, hourStart + index * 1500, path));
    }
    await writeFile(crowded, `${lines.join('\n')}\n`);
    await ingest(crowded);
    const pool = rootPool();
    try {
      const first = await compactTopValues(pool, new Date(now));
      assert.ok(first.folded > 0, 'values were folded');
      const sql = await services.sql();
      for (const table of ['rollup_top', 'rollup_top_day']) {
        const [groups] = await sql.query<RowDataPacket[]>(
          `SELECT dimension, source, bucket, COUNT(*) AS n FROM ${table} GROUP BY dimension, source, bucket HAVING n > 201`,
        );
        assert.deepEqual(groups, [], `${table}: no bucket keeps more than 200 values and its other row`);
      }
      await assertRollupsMatchLines(services);
      // The kept values are the most requested: none folded had more requests than the least kept.
      const [kept] = await sql.query<RowDataPacket[]>(
        `SELECT MIN(requests) AS least FROM rollup_top WHERE dimension = 'path' AND source = 'crowded.log' AND value IS NOT NULL`,
      );
      const [folded] = await sql.query<RowDataPacket[]>(
        `SELECT MAX(n) AS most FROM (SELECT COUNT(*) AS n FROM clean_log WHERE source = 'crowded.log'
           AND CAST(LEFT(path, 255) AS BINARY) NOT IN (SELECT CAST(value AS BINARY) FROM rollup_top
             WHERE dimension = 'path' AND source = 'crowded.log' AND value IS NOT NULL)
           GROUP BY CAST(LEFT(path, 255) AS BINARY)) AS f`,
      );
      assert.ok(
        Number(folded[0]?.most) <= Number(kept[0]?.least),
        `folded ${folded[0]?.most}, least kept ${kept[0]?.least}`,
      );
      const again = await compactTopValues(pool, new Date(now));
      assert.equal(again.folded, 0, 'each hour and day is passed over once');
    } finally {
      await pool.end();
    }
  });

  test('an open hour and day are compacted each time they hold over 250 values, totals exact', async () => {
    // The hour before `now` and today are open: they end less than two hours before `now`.
    const source = 'open-hour.log';
    const file = join(dir, source);
    const write = async (first: number, count: number): Promise<void> => {
      const lines: string[] = [];
      for (let index = first; index < first + count; index++) {
        // The first 400 lines request 200 paths twice each; every later line a path of its own.
        const path = index < 400 ? `/hot/${index % 200}` : `/cold/${index}`;
        lines.push(curlLine(index, now - HOUR_MS + 1000 + index * 1000, path));
      }
      await appendFile(file, `${lines.join('\n')}\n`);
      await ingest(file);
    };
    const pool = rootPool();
    const sql = await services.sql();
    /** The most path rows (values and "other") of any of this source's buckets (all open). */
    const mostPathRows = async (): Promise<number> => {
      let most = 0;
      for (const table of ['rollup_top', 'rollup_top_day']) {
        const [groups] = await sql.query<RowDataPacket[]>(
          `SELECT MAX(n) AS n FROM (SELECT COUNT(*) AS n FROM ${table} WHERE dimension = 'path' AND source = ?
             GROUP BY bucket) AS g`,
          [source],
        );
        most = Math.max(most, Number(groups[0]?.n ?? 0));
      }
      return most;
    };
    try {
      await write(0, 900);
      assert.equal(await mostPathRows(), 700, 'an open hour holds every distinct path until compacted');
      const first = await compactTopValues(pool, new Date(now));
      assert.ok(first.folded > 0, 'values of the open buckets were folded');
      assert.equal(await mostPathRows(), 201, '200 values and the "other" row');
      await assertRollupsMatchLines(services);
      // 50 new paths: 251 rows, not over a quarter more than the values kept, so left alone.
      await write(900, 50);
      assert.equal(await mostPathRows(), 251);
      assert.equal((await compactTopValues(pool, new Date(now))).folded, 0, '251 rows: left alone');
      // One more: 252 rows, compacted again down to 200 and the "other" row.
      await write(950, 1);
      assert.ok((await compactTopValues(pool, new Date(now))).folded > 0);
      assert.equal(await mostPathRows(), 201);
      await assertRollupsMatchLines(services);
      // The most requested paths (requested twice) are all kept by the open hour.
      const [kept] = await sql.query<RowDataPacket[]>(
        `SELECT MIN(requests) AS least FROM rollup_top WHERE dimension = 'path' AND source = ? AND value IS NOT NULL`,
        [source],
      );
      assert.equal(Number(kept[0]?.least), 2);
    } finally {
      await pool.end();
    }
  });
});
