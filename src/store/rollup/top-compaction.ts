/**
 * Bounds the top values of each hour and day: a busy site's hour can hold hundreds of thousands of
 * distinct paths, and a 30-day top list would have to sum them all. A bucket's values past the `keep`
 * most requested are folded into one "other" row per panel and bucket, which keeps every total exact.
 * An hour and its day are compacted each on their own: a day keeps its own 200 most requested, which
 * its hours may each have folded.
 *
 * Open buckets (the current hour and day, and those that ended less than two hours ago, which still
 * receive stragglers) are compacted too, each time they hold a quarter more than `keep`: otherwise the
 * panels that read them would cost in proportion to the site's traffic rather than to the buckets
 * read. A value folded away that comes again gets a row of its own beside the "other" row. Closed
 * buckets are compacted down to `keep` once, then left alone (a watermark in rollup_state).
 *
 * What that costs in accuracy, stated in the README: a value's requests over a range are exact unless
 * it was folded away in some bucket the range reads; then they are low by at most the "other"
 * requests of those buckets. The panels show at most 100 values, and a bucket keeps 200.
 */
import type { RowDataPacket } from 'mysql2/promise';
import type { DatabaseClient } from '../client.js';
import { errorCodeOf, isWriteConflict } from '../transient.js';
import { DAY_MS, HOUR_MS } from './tally.js';

/** Values kept per panel, source and bucket. */
export const TOP_VALUES_KEPT = 200;
/** The key of the row that holds what was folded away (no MD5 is all ones, in practice). */
export const OTHER_VALUE_KEY = Buffer.alloc(16, 0xff);
/** How long after its end a bucket is still open: lines arrive late by this much, commonly. */
const SETTLE_MS = 2 * HOUR_MS;
/**
 * An open bucket is compacted when it holds this many times `keep` values: not at every round for a
 * few new values, yet its panels read at most a quarter more rows than a closed bucket's.
 */
const OPEN_SLACK = 1.25;

/** The two levels of top values, each compacted once its buckets are over. */
const LEVELS = [
  { table: 'rollup_top', stepMs: HOUR_MS, watermark: 'top_compacted_until' },
  { table: 'rollup_top_day', stepMs: DAY_MS, watermark: 'top_days_compacted_until' },
] as const;
type Level = (typeof LEVELS)[number];

export interface CompactionResult {
  /** Buckets closed by this round (compacted for good): hours of rollup_top, days of rollup_top_day. */
  readonly hours: number;
  readonly days: number;
  /** Rows folded into "other" rows. */
  readonly folded: number;
}

/**
 * Compacts the hours and the days that ended at least two hours before `now` and were not
 * compacted yet, and the open ones that hold over a quarter more than `keep` values.
 */
export async function compactTopValues(
  pool: DatabaseClient,
  now: Date = new Date(),
  keep = TOP_VALUES_KEPT,
): Promise<CompactionResult> {
  const [hours, days] = [
    await compactLevel(pool, LEVELS[0], now, keep),
    await compactLevel(pool, LEVELS[1], now, keep),
  ];
  return { hours: hours.buckets, days: days.buckets, folded: hours.folded + days.folded };
}

async function compactLevel(
  pool: DatabaseClient,
  level: Level,
  now: Date,
  keep: number,
): Promise<{ buckets: number; folded: number }> {
  // Buckets before `until` are closed; from `until` on they are open.
  const until = new Date(Math.floor((now.getTime() - SETTLE_MS) / level.stepMs) * level.stepMs);
  const [state] = await pool.query<RowDataPacket[]>('SELECT value FROM rollup_state WHERE name = ?', [
    level.watermark,
  ]);
  // Never passed over: from the beginning. The watermark is set even when nothing was there, so
  // that a log of last year ingested into a new database is not compacted while it streams in (its
  // values folded away, then met again, would be counted apart from their "other" row).
  const from = (state[0]?.value as Date | undefined) ?? new Date(0);
  // Only the groups that hold more than `keep` values and an "other" row, read from the
  // (dimension, bucket) index over the buckets not yet closed for good.
  const [crowded] = await pool.query<RowDataPacket[]>(
    `SELECT dimension, source, bucket, COUNT(*) AS n FROM ${level.table} WHERE bucket >= ?
     GROUP BY dimension, source, bucket HAVING COUNT(*) > ?`,
    [from < until ? from : until, keep + 1],
  );
  let folded = 0;
  for (const group of crowded) {
    const bucket = group.bucket as Date;
    if (bucket >= until && Number(group.n) <= Math.floor(OPEN_SLACK * keep) + 1) continue;
    folded += await compactGroup(
      pool,
      level.table,
      String(group.dimension),
      String(group.source),
      bucket,
      keep,
    );
  }
  if (from >= until) return { buckets: 0, folded };
  await pool.query(
    `INSERT INTO rollup_state (name, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE value = GREATEST(value, VALUES(value))`,
    [level.watermark, until],
  );
  // The buckets closed by this round, counted from the oldest there is. Every line has a status, so
  // the status panel has every bucket, and its end of the (dimension, bucket) index is one read.
  const [oldest] = await pool.query<RowDataPacket[]>(
    `SELECT MIN(bucket) AS bucket FROM ${level.table} WHERE dimension = 'status'`,
  );
  const first = Math.max(from.getTime(), (oldest[0]?.bucket as Date | null)?.getTime() ?? until.getTime());
  return { buckets: Math.max(0, Math.round((until.getTime() - first) / level.stepMs)), folded };
}

/** Folds one panel's bucket of one source down to `keep` values and its "other" row. */
async function compactGroup(
  pool: DatabaseClient,
  table: Level['table'],
  dimension: string,
  source: string,
  bucket: Date,
  keep: number,
): Promise<number> {
  const connection = await pool.getConnection();
  try {
    await connection.beginTransaction();
    const [rows] = await connection.query<RowDataPacket[]>(
      `SELECT value_key, requests, bytes FROM ${table} WHERE dimension = ? AND source = ? AND bucket = ?
       ORDER BY requests DESC, value_key FOR UPDATE`,
      [dimension, source, bucket],
    );
    const values = rows.filter((row) => !OTHER_VALUE_KEY.equals(row.value_key as Buffer));
    const foldedRows = values.slice(keep);
    if (foldedRows.length === 0) {
      await connection.commit();
      return 0;
    }
    const requests = foldedRows.reduce((sum, row) => sum + Number(row.requests), 0);
    const bytes = foldedRows.reduce((sum, row) => sum + Number(row.bytes), 0);
    await connection.query(
      `INSERT INTO ${table} (dimension, source, bucket, value_key, value, requests, bytes) VALUES (?, ?, ?, ?, NULL, ?, ?)
       ON DUPLICATE KEY UPDATE requests = requests + VALUES(requests), bytes = bytes + VALUES(bytes)`,
      [dimension, source, bucket, OTHER_VALUE_KEY, requests, bytes],
    );
    for (let index = 0; index < foldedRows.length; index += 500) {
      await connection.query(
        `DELETE FROM ${table} WHERE dimension = ? AND source = ? AND bucket = ? AND value_key IN (?)`,
        [
          dimension,
          source,
          bucket,
          foldedRows.slice(index, index + 500).map((row) => row.value_key as Buffer),
        ],
      );
    }
    await connection.commit();
    return foldedRows.length;
  } catch (error) {
    await connection.rollback().catch(() => undefined);
    // An open bucket is written as it is compacted: when a writer's transaction wins, this bucket
    // waits for the next round (the writer's own conflicts are retried by the batch writer).
    if (isWriteConflict(error) || errorCodeOf(error) === 'ER_LOCK_WAIT_TIMEOUT') return 0;
    throw error;
  } finally {
    connection.release();
  }
}
