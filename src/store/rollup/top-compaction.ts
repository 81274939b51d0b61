/**
 * Bounds the top values of each closed hour: a busy site's hour can hold hundreds of thousands of
 * distinct paths, and a 30-day top list would have to sum them all. Once an hour is over (and a little
 * more, for stragglers), its values past the `keep` most requested are folded into one "other" row
 * per panel and hour, which keeps every total exact.
 *
 * What that costs in accuracy, stated in the README: a value's requests over a range are exact unless
 * it was folded away in some hour of the range; then they are low by at most the "other" requests of
 * those hours. The panels show at most 100 values, and an hour keeps 200.
 *
 * Each hour is passed over once (a watermark in rollup_state); late lines of an hour already compacted
 * add their values again, to be folded by no one: they are few.
 */
import type { RowDataPacket } from 'mysql2/promise';
import type { DatabaseClient } from '../client.js';
import { HOUR_MS } from './tally.js';

/** Values kept per panel, source and hour. */
export const TOP_VALUES_KEPT = 200;
/** The key of the row that holds what was folded away (no MD5 is all ones, in practice). */
export const OTHER_VALUE_KEY = Buffer.alloc(16, 0xff);
/** How long after its end an hour is left alone: lines arrive late by this much, commonly. */
const SETTLE_MS = 2 * HOUR_MS;
const WATERMARK = 'top_compacted_until';

export interface CompactionResult {
  readonly hours: number;
  /** Rows folded into "other" rows. */
  readonly folded: number;
}

/** Compacts the hours that ended at least two hours before `now` and were not compacted yet. */
export async function compactTopValues(
  pool: DatabaseClient,
  now: Date = new Date(),
  keep = TOP_VALUES_KEPT,
): Promise<CompactionResult> {
  const until = new Date(Math.floor((now.getTime() - SETTLE_MS) / HOUR_MS) * HOUR_MS);
  const [state] = await pool.query<RowDataPacket[]>('SELECT value FROM rollup_state WHERE name = ?', [
    WATERMARK,
  ]);
  const from = (state[0]?.value as Date | undefined) ?? new Date(0);
  if (from >= until) return { hours: 0, folded: 0 };
  // Only the groups that hold more than `keep` values and an "other" row: read from the
  // (dimension, bucket) index, over the hours not yet passed over.
  const [crowded] = await pool.query<RowDataPacket[]>(
    `SELECT dimension, source, bucket FROM rollup_top WHERE bucket >= ? AND bucket < ?
     GROUP BY dimension, source, bucket HAVING COUNT(*) > ?`,
    [from, until, keep + 1],
  );
  let folded = 0;
  for (const group of crowded)
    folded += await compactGroup(
      pool,
      String(group.dimension),
      String(group.source),
      group.bucket as Date,
      keep,
    );
  await pool.query(
    `INSERT INTO rollup_state (name, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE value = GREATEST(value, VALUES(value))`,
    [WATERMARK, until],
  );
  return { hours: Math.round((until.getTime() - from.getTime()) / HOUR_MS), folded };
}

/** Folds one panel's hour of one source down to `keep` values and its "other" row. */
async function compactGroup(
  pool: DatabaseClient,
  dimension: string,
  source: string,
  bucket: Date,
  keep: number,
): Promise<number> {
  const connection = await pool.getConnection();
  try {
    await connection.beginTransaction();
    const [rows] = await connection.query<RowDataPacket[]>(
      `SELECT value_key, requests, bytes FROM rollup_top WHERE dimension = ? AND source = ? AND bucket = ?
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
      `INSERT INTO rollup_top (dimension, source, bucket, value_key, value, requests, bytes) VALUES (?, ?, ?, ?, NULL, ?, ?)
       ON DUPLICATE KEY UPDATE requests = requests + VALUES(requests), bytes = bytes + VALUES(bytes)`,
      [dimension, source, bucket, OTHER_VALUE_KEY, requests, bytes],
    );
    for (let index = 0; index < foldedRows.length; index += 500) {
      await connection.query(
        'DELETE FROM rollup_top WHERE dimension = ? AND source = ? AND bucket = ? AND value_key IN (?)',
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
    throw error;
  } finally {
    connection.release();
  }
}
