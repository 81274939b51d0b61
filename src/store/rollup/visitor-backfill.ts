/**
 * The visitor sketches of the buckets that migration 0007 counted from lines already stored: SQL can
 * sum requests but cannot make a sketch, so it left the marker byte 0x00 ("to be filled") wherever a
 * bucket had client addresses. Each marked hour is read once from clean_log (its (source, ts) index
 * holds the address), and its hour's and minutes' sketches are merged in. Migration 0008 marks the
 * days the same way: a marked day gets the union of its hours' sketches, once those are filled.
 *
 * Safe to run while consumers write and to run twice: merging an address into a sketch that holds it
 * changes nothing, and each row is merged under its lock.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { DatabaseClient } from '../client.js';
import { addValue, emptyRegisters, encodeSketch, mergeEncoded } from './hll.js';
import type { Registers } from './hll.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './tally.js';

/** What a sketch to be filled is stored as. */
export const PENDING_SKETCH = Buffer.of(0x00);

/** Fills the marked sketches; returns how many hours and days were read. `progress` hears of each. */
export async function fillPendingVisitors(
  pool: DatabaseClient,
  progress?: (done: number, total: number) => void,
): Promise<number> {
  const [hours] = await pool.query<RowDataPacket[]>(
    `SELECT source, bucket FROM rollup_hour WHERE visitors = ? ORDER BY bucket, source`,
    [PENDING_SKETCH],
  );
  const [days] = await pool.query<RowDataPacket[]>(
    `SELECT source, bucket FROM rollup_day WHERE visitors = ? ORDER BY bucket, source`,
    [PENDING_SKETCH],
  );
  let done = 0;
  for (const hour of hours) {
    const source = String(hour.source);
    const from = hour.bucket as Date;
    const to = new Date(from.getTime() + HOUR_MS);
    const [lines] = await pool.query<RowDataPacket[]>(
      `SELECT source, ts, ip FROM clean_log WHERE source = ? AND ts >= ? AND ts < ? AND ip IS NOT NULL`,
      [source, from, to],
    );
    const hourSketch = emptyRegisters();
    const minuteSketches = new Map<number, Registers>();
    for (const line of lines) {
      // A case-insensitive `source =` also finds lines of names that differ in case: not this bucket's.
      if (String(line.source) !== source) continue;
      const ip = String(line.ip);
      const minuteMs = Math.floor((line.ts as Date).getTime() / MINUTE_MS) * MINUTE_MS;
      let minute = minuteSketches.get(minuteMs);
      if (minute === undefined) minuteSketches.set(minuteMs, (minute = emptyRegisters()));
      addValue(hourSketch, ip);
      addValue(minute, ip);
    }
    await inTransaction(pool, async (connection) => {
      await mergeSketch(connection, 'rollup_hour', source, from, hourSketch);
      for (const [minuteMs, sketch] of minuteSketches) {
        await mergeSketch(connection, 'rollup_minute', source, new Date(minuteMs), sketch);
      }
    });
    progress?.(++done, hours.length + days.length);
  }
  for (const day of days) {
    const source = String(day.source);
    const from = day.bucket as Date;
    const [hourRows] = await pool.query<RowDataPacket[]>(
      'SELECT visitors FROM rollup_hour WHERE source = ? AND bucket >= ? AND bucket < ?',
      [source, from, new Date(from.getTime() + DAY_MS)],
    );
    const daySketch = emptyRegisters();
    for (const hour of hourRows) mergeEncoded(daySketch, hour.visitors as Buffer);
    await inTransaction(pool, (connection) => mergeSketch(connection, 'rollup_day', source, from, daySketch));
    progress?.(++done, hours.length + days.length);
  }
  return done;
}

async function inTransaction(
  pool: DatabaseClient,
  work: (connection: PoolConnection) => Promise<void>,
): Promise<void> {
  const connection = await pool.getConnection();
  try {
    await connection.beginTransaction();
    await work(connection);
    await connection.commit();
  } catch (error) {
    await connection.rollback().catch(() => undefined);
    throw error;
  } finally {
    connection.release();
  }
}

async function mergeSketch(
  connection: PoolConnection,
  table: 'rollup_minute' | 'rollup_hour' | 'rollup_day',
  source: string,
  bucket: Date,
  sketch: Registers,
): Promise<void> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT visitors FROM ${table} WHERE source = ? AND bucket = ? FOR UPDATE`,
    [source, bucket],
  );
  const stored = rows[0]?.visitors as Buffer | undefined;
  if (stored === undefined) return;
  mergeEncoded(sketch, stored);
  await connection.query(`UPDATE ${table} SET visitors = ? WHERE source = ? AND bucket = ?`, [
    encodeSketch(sketch),
    source,
    bucket,
  ]);
}
