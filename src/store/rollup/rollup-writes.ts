/**
 * Counting a transaction's clean lines into the rollups, inside that transaction: the lines and their
 * counts commit together or not at all, so a redelivered message, a consumer killed mid-write or two
 * consumers racing can neither lose nor double a count.
 *
 * Which lines are new to the rollups is decided by `rollup_counted` (counted-ranges.ts), not by
 * whether a row was inserted: a line counted and then pruned, read again, is not counted again.
 *
 * Locks are taken in one order (the streams' counted ranges, then minutes, hours, days, the hours' top
 * values and the days', each sorted by key) so that transactions counting the same streams and buckets wait for each other
 * rather than deadlock; a deadlock with the line tables' own locks is retried by the batch writer.
 *
 * `VALUES(column)` in ON DUPLICATE KEY UPDATE: MySQL 8.0.20+ calls it deprecated in favour of a row
 * alias, which MariaDB does not accept; both run it.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import {
  decodeRanges,
  encodeRanges,
  isAllCounted,
  isCounted,
  isNoneCounted,
  withRange,
} from './counted-ranges.js';
import type { CountedRanges } from './counted-ranges.js';
import { encodeSketch, mergeEncoded } from './hll.js';
import {
  DAY_MS,
  HOUR_MS,
  addLine,
  dayTopTalliesOf,
  emptyTally,
  forEachCountedLine,
  topTalliesOf,
} from './tally.js';
import type { CountingUnit, Tally, TopTally, TrafficTally } from './tally.js';

/**
 * Counts the units' lines that the rollups have not counted yet, and records them as counted.
 * Returns how many lines were counted.
 */
export async function countIntoRollups(
  connection: PoolConnection,
  units: readonly CountingUnit[],
  now: Date = new Date(),
): Promise<number> {
  if (units.length === 0) return 0;
  const ranges = await lockCountedRanges(connection, units, now);
  const tally = emptyTally();
  for (const unit of units) {
    const key = unit.streamId.toString('hex');
    const counted = ranges.get(key) ?? [];
    if (unit.lineCount > 0 && !isAllCounted(counted, unit.start, unit.end)) {
      const none = isNoneCounted(counted, unit.start, unit.end);
      forEachCountedLine(unit, (line) => {
        if (none || !isCounted(counted, line.offset)) addLine(tally, unit.source, line);
      });
    }
    ranges.set(key, withRange(counted, unit.start, unit.end));
  }
  await saveCountedRanges(connection, units, ranges, now);
  if (tally.lines > 0) await writeTally(connection, tally);
  return tally.lines;
}

/** The counted ranges of the units' streams, each stream's row created if new and locked. */
async function lockCountedRanges(
  connection: PoolConnection,
  units: readonly CountingUnit[],
  now: Date,
): Promise<Map<string, CountedRanges>> {
  const streams = streamsOf(units);
  // An upsert that changes nothing still locks the row, for writing, where a locking read of a row
  // not there yet would take a gap lock that two transactions can both hold, then deadlock on.
  await connection.query(
    `INSERT INTO rollup_counted (stream_id, source, ranges, updated_at) VALUES ?
     ON DUPLICATE KEY UPDATE stream_id = stream_id`,
    [[...streams.values()].map((unit) => [unit.streamId, unit.source, Buffer.alloc(0), now])],
  );
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT stream_id, ranges FROM rollup_counted WHERE stream_id IN (?) FOR UPDATE',
    [[...streams.values()].map((unit) => unit.streamId)],
  );
  return new Map(
    rows.map((row) => [(row.stream_id as Buffer).toString('hex'), decodeRanges(row.ranges as Buffer)]),
  );
}

async function saveCountedRanges(
  connection: PoolConnection,
  units: readonly CountingUnit[],
  ranges: ReadonlyMap<string, CountedRanges>,
  now: Date,
): Promise<void> {
  const rows = [...streamsOf(units)].map(([key, unit]) => [
    unit.streamId,
    unit.source,
    encodeRanges(ranges.get(key) ?? []),
    now,
  ]);
  await connection.query(
    `INSERT INTO rollup_counted (stream_id, source, ranges, updated_at) VALUES ?
     ON DUPLICATE KEY UPDATE ranges = VALUES(ranges), updated_at = VALUES(updated_at)`,
    [rows],
  );
}

/** One unit per stream, in stream id order (the order locks are taken in). */
function streamsOf(units: readonly CountingUnit[]): Map<string, CountingUnit> {
  const streams = new Map<string, CountingUnit>();
  for (const unit of units) streams.set(unit.streamId.toString('hex'), unit);
  return new Map([...streams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function writeTally(connection: PoolConnection, tally: Tally): Promise<void> {
  await writeTraffic(connection, 'rollup_minute', tally.minutes);
  await writeTraffic(connection, 'rollup_hour', tally.hours);
  await writeTraffic(connection, 'rollup_day', tally.days);
  await writeTop(connection, 'rollup_top', topTalliesOf(tally), HOUR_MS);
  await writeTop(connection, 'rollup_top_day', dayTopTalliesOf(tally), DAY_MS);
}

/**
 * Adds the top values' requests and bytes to the buckets of `stepMs` they are in, in key order (the
 * order their locks are taken in).
 */
async function writeTop(
  connection: PoolConnection,
  table: 'rollup_top' | 'rollup_top_day',
  tallies: Iterable<TopTally>,
  stepMs: number,
): Promise<void> {
  const bucketOf = (top: TopTally): number => Math.floor(top.bucketMs / stepMs) * stepMs;
  const top = [...tallies].sort(
    (a, b) =>
      compare(a.dimension, b.dimension) ||
      compare(a.source, b.source) ||
      bucketOf(a) - bucketOf(b) ||
      Buffer.compare(a.valueKey, b.valueKey),
  );
  for (const chunk of chunksOf(top)) {
    await connection.query(
      `INSERT INTO ${table} (dimension, source, bucket, value_key, value, requests, bytes) VALUES ?
       ON DUPLICATE KEY UPDATE requests = requests + VALUES(requests), bytes = bytes + VALUES(bytes)`,
      [
        chunk.map((row) => [
          row.dimension,
          row.source,
          new Date(bucketOf(row)),
          row.valueKey,
          row.value,
          row.requests,
          row.bytes,
        ]),
      ],
    );
  }
}

/** Adds the buckets' counts, then merges their visitors into the stored sketches (rows locked by then). */
async function writeTraffic(
  connection: PoolConnection,
  table: 'rollup_minute' | 'rollup_hour' | 'rollup_day',
  buckets: ReadonlyMap<string, TrafficTally>,
): Promise<void> {
  const sorted = [...buckets.values()].sort((a, b) => compare(a.source, b.source) || a.bucketMs - b.bucketMs);
  for (const chunk of chunksOf(sorted)) {
    await connection.query(
      `INSERT INTO ${table} (source, bucket, requests, bytes, s2xx, s3xx, s4xx, s5xx, bots, humans, first_ts, last_ts, visitors)
       VALUES ?
       ON DUPLICATE KEY UPDATE requests = requests + VALUES(requests), bytes = bytes + VALUES(bytes),
         s2xx = s2xx + VALUES(s2xx), s3xx = s3xx + VALUES(s3xx), s4xx = s4xx + VALUES(s4xx),
         s5xx = s5xx + VALUES(s5xx), bots = bots + VALUES(bots), humans = humans + VALUES(humans),
         first_ts = LEAST(first_ts, VALUES(first_ts)), last_ts = GREATEST(last_ts, VALUES(last_ts))`,
      [
        chunk.map((bucket) => [
          bucket.source,
          new Date(bucket.bucketMs),
          bucket.requests,
          bucket.bytes,
          bucket.s2xx,
          bucket.s3xx,
          bucket.s4xx,
          bucket.s5xx,
          bucket.bots,
          bucket.humans,
          new Date(bucket.firstMs),
          new Date(bucket.lastMs),
          Buffer.alloc(0),
        ]),
      ],
    );
  }
  const withVisitors = sorted.filter((bucket) => bucket.visitors !== undefined);
  for (const chunk of chunksOf(withVisitors)) {
    // A locking read: the rows are ours until commit, and it reads their latest version, not this
    // transaction's snapshot (another consumer may have merged into them since it began).
    const [stored] = await connection.query<RowDataPacket[]>(
      `SELECT source, bucket, visitors FROM ${table} WHERE (source, bucket) IN (?) FOR UPDATE`,
      [chunk.map((bucket) => [bucket.source, new Date(bucket.bucketMs)])],
    );
    const byKey = new Map(chunk.map((bucket) => [`${bucket.bucketMs}\u0000${bucket.source}`, bucket]));
    const merged: Array<[string, Date, Buffer]> = [];
    for (const row of stored) {
      const bucketAt = row.bucket as Date;
      const bucket = byKey.get(`${bucketAt.getTime()}\u0000${String(row.source)}`);
      if (bucket?.visitors === undefined) continue;
      mergeEncoded(bucket.visitors, row.visitors as Buffer);
      merged.push([String(row.source), bucketAt, encodeSketch(bucket.visitors)]);
    }
    // One statement for the chunk: every row exists by now (the upsert above), so this only updates
    // their sketches; the zeros stand for columns it leaves alone.
    if (merged.length > 0) {
      await connection.query(
        `INSERT INTO ${table} (source, bucket, requests, bytes, s2xx, s3xx, s4xx, s5xx, bots, humans, first_ts, last_ts, visitors)
         VALUES ? ON DUPLICATE KEY UPDATE visitors = VALUES(visitors)`,
        [
          merged.map(([source, bucketAt, sketch]) => [
            source,
            bucketAt,
            ...UNCHANGED_COUNTS,
            bucketAt,
            bucketAt,
            sketch,
          ]),
        ],
      );
    }
  }
}

/** The eight counts of a row whose sketch alone is updated (the upsert leaves them as they are). */
const UNCHANGED_COUNTS = [0, 0, 0, 0, 0, 0, 0, 0];

/** Rows per statement: keeps each well under max_allowed_packet (a dense sketch is 4 KiB). */
const ROWS_PER_STATEMENT = 500;

function chunksOf<T>(items: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += ROWS_PER_STATEMENT) {
    chunks.push(items.slice(index, index + ROWS_PER_STATEMENT));
  }
  return chunks;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
