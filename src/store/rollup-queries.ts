/**
 * The dashboard's and `stats`' traffic figures read from the rollups (rollup_minute, rollup_hour,
 * rollup_day, rollup_top, rollup_top_day), never from clean_log: their cost grows with the buckets
 * of the range, not with the lines in it. A range is counted in whole minutes (top lists: whole
 * hours), snapped outwards, and every answer says which range it counted. Whole days come from the
 * day tables, the hours at the edges from the hour tables and the minutes at the edges from
 * rollup_minute, so every count equals the lines' own aggregate over the counted range;
 * distinct visitors are the union of HyperLogLog sketches (within 7 % or 10 of the exact count).
 */
import { sql } from './drizzle.js';
import type { SQL } from 'drizzle-orm';
import type { Database } from './database.js';
import { emptyRegisters, estimate, mergeEncoded, mergeInto } from './rollup/hll.js';
import type { Registers } from './rollup/hll.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './rollup/tally.js';
import type { TopDimension } from './rollup/tally.js';
import {
  cleanLog,
  rollupCounted,
  rollupDay,
  rollupHour,
  rollupMinute,
  rollupTop,
  rollupTopDay,
} from './schema.js';
import { OTHER_VALUE_KEY } from './rollup/top-compaction.js';

/** The lines a traffic panel counts: `from` ≤ ts < `to`, of one source or of all. */
export interface TrafficFilter {
  readonly from: Date;
  readonly to: Date;
  readonly source?: string | undefined;
}

/** One bucket of the traffic series. */
export interface TrafficBucket {
  /** Start of the bucket, epoch ms (UTC). */
  readonly t: number;
  readonly requests: number;
  /** Distinct client addresses in the bucket: an estimate, within 7 % or 10. */
  readonly visitors: number;
  readonly bytes: number;
  readonly s2xx: number;
  readonly s3xx: number;
  readonly s4xx: number;
  readonly s5xx: number;
  /** 1xx and anything outside 100–599. */
  readonly sOther: number;
  /** Requests from bots; null when the database has no is_bot column yet. */
  readonly bots: number | null;
}

export interface TrafficSummary {
  readonly requests: number;
  /** Distinct client addresses over the range: an estimate, within 7 % or 10. */
  readonly visitors: number;
  readonly bytes: number;
  /** null when the database has no is_bot column yet. */
  readonly bots: number | null;
  readonly humans: number | null;
  /** Requests with no user agent, or not looked at. */
  readonly unknownAgent: number | null;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
}

export interface HourEntry {
  /** Hour of the day, UTC, 0–23. */
  readonly hour: number;
  readonly requests: number;
  readonly bytes: number;
}

/** The traffic panels of one range: what /api/traffic answers. */
export interface TrafficReport {
  /** The range counted: the one asked for, snapped outwards to whole minutes. */
  readonly from: number;
  readonly to: number;
  readonly bucketSeconds: number;
  readonly series: readonly TrafficBucket[];
  readonly summary: TrafficSummary;
  readonly hours: readonly HourEntry[];
}

export interface TopEntry {
  readonly value: string | null;
  readonly requests: number;
  readonly bytes: number;
}

export interface TopResult {
  readonly dimension: TopDimension;
  /** False when the column is not in the database yet (its migration has not run). */
  readonly available: boolean;
  /** The range counted: the one asked for, snapped outwards to whole hours. */
  readonly from: number;
  readonly to: number;
  readonly entries: readonly TopEntry[];
}

/** How far back the stored lines and the rollups go, and when the rollups last counted lines. */
export interface HistorySpan {
  /** The oldest line still stored (clean_log), epoch ms; null when there is none. */
  readonly linesFromMs: number | null;
  /** The start of the oldest hour the rollups hold; null when they hold none. */
  readonly rollupsFromMs: number | null;
  /** When the rollups last counted lines; null when they never have. */
  readonly rollupsUpdatedMs: number | null;
}

/** `ms` down to a multiple of `step`. */
const floorTo = (ms: number, step: number): number => Math.floor(ms / step) * step;
/** `ms` up to a multiple of `step`. */
const ceilTo = (ms: number, step: number): number => Math.ceil(ms / step) * step;

/** The range a traffic panel counts: whole minutes, the asked range within them. */
export function minutesOf(filter: TrafficFilter): TrafficFilter {
  return snapped(filter, MINUTE_MS);
}

/** The range a top list counts: whole hours (rollup_top is hourly), the asked range within them. */
export function hoursOf(filter: TrafficFilter): TrafficFilter {
  return snapped(filter, HOUR_MS);
}

function snapped(filter: TrafficFilter, step: number): TrafficFilter {
  const from = floorTo(filter.from.getTime(), step);
  const to = Math.max(from + step, ceilTo(filter.to.getTime(), step));
  return { from: new Date(from), to: new Date(to), source: filter.source };
}

/** One stored bucket of one source, as read. */
interface StoredBucket {
  readonly t: number;
  readonly requests: number;
  readonly bytes: number;
  readonly s2xx: number;
  readonly s3xx: number;
  readonly s4xx: number;
  readonly s5xx: number;
  readonly bots: number;
  readonly humans: number;
  readonly firstMs: number;
  readonly lastMs: number;
  readonly visitors: Buffer | null;
}

/** The rollup rows of [from, to) in `table`, of one source or all. */
function bucketsIn(
  table: TrafficLevel['table'],
  from: number,
  to: number,
  sources: readonly string[],
  withVisitors: boolean,
): SQL {
  const bySource = sql` AND ${table.source} IN (${listOf(sources)})`;
  const visitors = withVisitors ? sql`${table.visitors}` : sql`NULL`;
  return sql`SELECT ${table.bucket} AS bucket, ${table.requests} AS requests, ${table.bytes} AS bytes,
      ${table.s2xx} AS s2xx, ${table.s3xx} AS s3xx, ${table.s4xx} AS s4xx, ${table.s5xx} AS s5xx,
      ${table.bots} AS bots, ${table.humans} AS humans, ${table.firstTs} AS first_ts, ${table.lastTs} AS last_ts,
      ${visitors} AS visitors
    FROM ${table} WHERE ${table.bucket} >= ${new Date(from)} AND ${table.bucket} < ${new Date(to)}${bySource}`;
}

/** Values as an SQL list, each a parameter. */
function listOf(values: readonly (string | Buffer)[]): SQL {
  return sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  );
}

/** A table of traffic rollups and the length of its buckets. */
interface TrafficLevel {
  readonly table: typeof rollupMinute | typeof rollupHour | typeof rollupDay;
  readonly stepMs: number;
}

/**
 * The parts of [from, to) each level reads, coarsest first: the level's whole buckets inside the
 * range, and the edges left to the finer levels. The last level (minutes) takes whatever is left.
 */
export function coverOf<Level extends { readonly stepMs: number }>(
  from: number,
  to: number,
  levels: readonly Level[],
): Array<{ level: Level; from: number; to: number }> {
  const [level, ...finer] = levels;
  if (level === undefined || from >= to) return [];
  if (finer.length === 0) return [{ level, from, to }];
  const wholeFrom = ceilTo(from, level.stepMs);
  const wholeTo = floorTo(to, level.stepMs);
  if (wholeFrom >= wholeTo) return coverOf(from, to, finer);
  return [
    { level, from: wholeFrom, to: wholeTo },
    ...coverOf(from, wholeFrom, finer),
    ...coverOf(wholeTo, to, finer),
  ];
}

/**
 * The stored buckets covering a range of whole minutes, each inside the range and inside one series
 * bucket of `bucketMs`: its whole days from rollup_day and whole hours from rollup_hour when the
 * series bucket is made of them, the rest from rollup_minute.
 */
async function storedBuckets(
  db: Database,
  range: TrafficFilter,
  bucketMs: number,
  withVisitors: boolean,
): Promise<StoredBucket[]> {
  const levels: TrafficLevel[] = [
    ...(bucketMs % DAY_MS === 0 ? [{ table: rollupDay, stepMs: DAY_MS }] : []),
    ...(bucketMs % HOUR_MS === 0 ? [{ table: rollupHour, stepMs: HOUR_MS }] : []),
    { table: rollupMinute, stepMs: MINUTE_MS },
  ];
  // All sources are read as the list of them, as topOver does: each source's buckets then come in
  // primary-key order, where the bucket index would need a lookup of every row it finds.
  const sources = range.source === undefined ? await rollupSources(db) : [range.source];
  if (sources.length === 0) return [];
  const parts = coverOf(range.from.getTime(), range.to.getTime(), levels).map((part) =>
    bucketsIn(part.level.table, part.from, part.to, sources, withVisitors),
  );
  const rows = await select<Record<string, unknown>>(db, sql.join(parts, sql` UNION ALL `));
  return rows.map((row) => ({
    t: timeOf(row.bucket) ?? 0,
    requests: num(row.requests),
    bytes: num(row.bytes),
    s2xx: num(row.s2xx),
    s3xx: num(row.s3xx),
    s4xx: num(row.s4xx),
    s5xx: num(row.s5xx),
    bots: num(row.bots),
    humans: num(row.humans),
    firstMs: timeOf(row.first_ts) ?? 0,
    lastMs: timeOf(row.last_ts) ?? 0,
    visitors: row.visitors === null || row.visitors === undefined ? null : (row.visitors as Buffer),
  }));
}

/** A sum of stored buckets (one output bucket, or the whole range). */
interface Sum {
  requests: number;
  bytes: number;
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
  bots: number;
  humans: number;
  firstMs: number;
  lastMs: number;
  readonly visitors: Registers;
}

function emptySum(): Sum {
  return {
    requests: 0,
    bytes: 0,
    s2xx: 0,
    s3xx: 0,
    s4xx: 0,
    s5xx: 0,
    bots: 0,
    humans: 0,
    firstMs: Number.POSITIVE_INFINITY,
    lastMs: Number.NEGATIVE_INFINITY,
    visitors: emptyRegisters(),
  };
}

/** Adds a stored bucket's counts to a sum, and its visitors unless `withVisitors` is false. */
function add(sum: Sum, row: StoredBucket, withVisitors = true): void {
  sum.requests += row.requests;
  sum.bytes += row.bytes;
  sum.s2xx += row.s2xx;
  sum.s3xx += row.s3xx;
  sum.s4xx += row.s4xx;
  sum.s5xx += row.s5xx;
  sum.bots += row.bots;
  sum.humans += row.humans;
  if (row.firstMs < sum.firstMs) sum.firstMs = row.firstMs;
  if (row.lastMs > sum.lastMs) sum.lastMs = row.lastMs;
  if (withVisitors && row.visitors !== null) mergeEncoded(sum.visitors, row.visitors);
}

/**
 * Series, totals and busiest hours of a range, from one read of the rollups. The range is counted in
 * whole minutes; a series bucket of whole hours (days) reads rollup_hour (rollup_day) for the hours
 * (days) inside the range.
 * `hasBots`: whether clean_log has its is_bot column (bots and humans are null when not).
 */
export async function trafficReport(
  db: Database,
  filter: TrafficFilter,
  bucketSeconds: number,
  hasBots: boolean,
): Promise<TrafficReport> {
  const range = minutesOf(filter);
  // The rollups have nothing finer than a minute.
  const bucketMs = Math.max(1, Math.round(bucketSeconds / 60)) * MINUTE_MS;
  const rows = await storedBuckets(db, range, bucketMs, true);
  const total = emptySum();
  const buckets = new Map<number, Sum>();
  const hours = new Map<number, { requests: number; bytes: number }>();
  for (const row of rows) {
    // The total's visitors are the union of the buckets' (below): a merge per bucket, not per row.
    add(total, row, false);
    const t = floorTo(row.t, bucketMs);
    let bucket = buckets.get(t);
    if (bucket === undefined) buckets.set(t, (bucket = emptySum()));
    add(bucket, row);
    const hour = new Date(row.t).getUTCHours();
    const entry = hours.get(hour) ?? { requests: 0, bytes: 0 };
    entry.requests += row.requests;
    entry.bytes += row.bytes;
    hours.set(hour, entry);
  }
  for (const bucket of buckets.values()) mergeInto(total.visitors, bucket.visitors);
  const series = [...buckets]
    .sort(([a], [b]) => a - b)
    .map(([t, sum]) => ({
      t,
      requests: sum.requests,
      visitors: estimate(sum.visitors),
      bytes: sum.bytes,
      s2xx: sum.s2xx,
      s3xx: sum.s3xx,
      s4xx: sum.s4xx,
      s5xx: sum.s5xx,
      sOther: sum.requests - sum.s2xx - sum.s3xx - sum.s4xx - sum.s5xx,
      bots: hasBots ? sum.bots : null,
    }));
  const some = total.requests > 0;
  return {
    from: range.from.getTime(),
    to: range.to.getTime(),
    bucketSeconds: bucketMs / 1000,
    series,
    summary: {
      requests: total.requests,
      visitors: estimate(total.visitors),
      bytes: total.bytes,
      bots: hasBots ? total.bots : null,
      humans: hasBots ? total.humans : null,
      unknownAgent: hasBots ? total.requests - total.bots - total.humans : null,
      firstMs: some ? total.firstMs : null,
      lastMs: some ? total.lastMs : null,
    },
    hours: [...hours]
      .sort(([a], [b]) => a - b)
      .map(([hour, entry]) => ({ hour, requests: entry.requests, bytes: entry.bytes })),
  };
}

/**
 * The `limit` most frequent values of a top panel over the range's whole hours, most requests first,
 * summed from rollup_top_day for the whole days of the range and rollup_top for the hours at its
 * edges. Values are compared by their key (the MD5 of their bytes), as stored; the "other" rows of
 * compacted buckets (top-compaction.ts) are no value and are left out.
 */
export async function topOver(
  db: Database,
  dimension: TopDimension,
  filter: TrafficFilter,
  limit: number,
): Promise<TopResult> {
  const range = hoursOf(filter);
  const levels = TOP_LEVELS;
  // All sources are read as the list of them: the primary key (dimension, source, bucket, value)
  // then serves each source's buckets in order, where the (dimension, bucket) index would need a
  // lookup of the row for every value it finds. The list comes from rollup_day (every line counted
  // has a day row, and it holds a row per source and day), not from rollup_top's many rows.
  const sources = range.source === undefined ? await rollupSources(db) : [range.source];
  if (sources.length === 0)
    return { dimension, available: true, from: range.from.getTime(), to: range.to.getTime(), entries: [] };
  const parts = coverOf(range.from.getTime(), range.to.getTime(), levels).map(({ level, from, to }) => {
    const table: TopTable = level.table;
    return sql`SELECT ${table.valueKey} AS value_key, ${table.requests} AS requests, ${table.bytes} AS bytes,
        TO_SECONDS(${table.bucket}) * ${levels.length} + ${levels.indexOf(level)} AS spot
      FROM ${table}
      WHERE ${table.dimension} = ${dimension} AND ${table.bucket} >= ${new Date(from)}
        AND ${table.bucket} < ${new Date(to)} AND ${table.source} IN (${listOf(sources)})
        AND ${table.valueKey} <> ${OTHER_VALUE_KEY}`;
  });
  // Summed by key alone: the value (up to 255 characters) would widen every row of the grouping.
  // Ties at the last place go by key. `spot` names one bucket (its level and start) that holds the
  // key, so that each kept value is then fetched from that bucket's few rows, not from the range's.
  const sums = await select<{ value_key: Buffer; requests: unknown; bytes: unknown; spot: unknown }>(
    db,
    sql`SELECT value_key, SUM(requests) AS requests, SUM(bytes) AS bytes, MAX(spot) AS spot
        FROM (${sql.join(parts, sql` UNION ALL `)}) AS counted
        GROUP BY value_key ORDER BY requests DESC, value_key LIMIT ${Math.max(1, Math.floor(limit))}`,
  );
  const values = new Map<string, string | null>();
  if (sums.length > 0) {
    const lookups = sums.map((row) => {
      const spot = num(row.spot);
      const table: TopTable = levels[spot % levels.length]?.table ?? rollupTop;
      const bucket = new Date((Math.floor(spot / levels.length) - TO_SECONDS_AT_EPOCH) * 1000);
      return sql`(SELECT ${table.valueKey} AS value_key, ${table.value} AS value FROM ${table}
        WHERE ${table.dimension} = ${dimension} AND ${table.source} IN (${listOf(sources)})
          AND ${table.bucket} = ${bucket} AND ${table.valueKey} = ${row.value_key} LIMIT 1)`;
    });
    const named = await select<{ value_key: Buffer; value: string | null }>(
      db,
      sql.join(lookups, sql` UNION ALL `),
    );
    for (const row of named) values.set(row.value_key.toString('hex'), row.value);
  }
  const rows = sums
    .map((row) => ({
      value: values.get(row.value_key.toString('hex')) ?? null,
      requests: num(row.requests),
      bytes: num(row.bytes),
    }))
    .sort((a, b) => b.requests - a.requests || compareValues(a.value, b.value));
  return {
    dimension,
    available: true,
    from: range.from.getTime(),
    to: range.to.getTime(),
    entries: rows,
  };
}

type TopTable = typeof rollupTop | typeof rollupTopDay;
/** The levels a top list reads, coarsest first: the whole days of a range, then the hours at its edges. */
export const TOP_LEVELS: ReadonlyArray<{ readonly table: TopTable; readonly stepMs: number }> = [
  { table: rollupTopDay, stepMs: DAY_MS },
  { table: rollupTop, stepMs: HOUR_MS },
];
/** MySQL's TO_SECONDS('1970-01-01'): seconds from year 0, the count TO_SECONDS gives, to the epoch. */
const TO_SECONDS_AT_EPOCH = 62_167_219_200;

/** Values in the order a list shows ties: none first, then by code point. */
function compareValues(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/**
 * The first and last request time counted (of one source or all), epoch ms; null when there is
 * none. Reads the first and last hour only (the bucket index, or the primary key for one source).
 */
export async function rollupBounds(
  db: Database,
  source?: string,
): Promise<{ readonly firstMs: number; readonly lastMs: number } | null> {
  const bySource = source === undefined ? sql`` : sql` AND ${rollupHour.source} = ${source}`;
  const edge = (pick: 'MIN' | 'MAX', column: SQL): SQL =>
    sql`(SELECT ${sql.raw(pick)}(${column}) FROM ${rollupHour} WHERE ${rollupHour.bucket} =
          (SELECT ${sql.raw(pick)}(${rollupHour.bucket}) FROM ${rollupHour} WHERE TRUE${bySource})${bySource})`;
  const [row] = await select<{ first_ts: unknown; last_ts: unknown }>(
    db,
    sql`SELECT ${edge('MIN', sql`${rollupHour.firstTs}`)} AS first_ts, ${edge('MAX', sql`${rollupHour.lastTs}`)} AS last_ts`,
  );
  const firstMs = timeOf(row?.first_ts);
  const lastMs = timeOf(row?.last_ts);
  return firstMs === null || lastMs === null ? null : { firstMs, lastMs };
}

/** The sources the rollups have counted lines of, in byte order (a loose scan of rollup_day's key). */
export async function rollupSources(db: Database): Promise<string[]> {
  const rows = await select<{ source: string }>(
    db,
    sql`SELECT DISTINCT ${rollupDay.source} AS source FROM ${rollupDay} ORDER BY source`,
  );
  return rows.map((row) => String(row.source));
}

/** Lines counted by the rollups (of one source or all): the sum of rollup_day, one row per day. */
export async function countedLines(db: Database, source?: string): Promise<number> {
  const bySource = source === undefined ? sql`TRUE` : sql`${rollupDay.source} = ${source}`;
  const [row] = await select<{ n: unknown }>(
    db,
    sql`SELECT SUM(${rollupDay.requests}) AS n FROM ${rollupDay} WHERE ${bySource}`,
  );
  return num(row?.n);
}

/**
 * How far back the lines and the rollups go, and how fresh the rollups are: each an end of an index
 * (clean_log's ts, rollup_hour's bucket), and rollup_counted's one row per stream read.
 */
export async function historySpan(db: Database): Promise<HistorySpan> {
  const [row] = await select<Record<string, unknown>>(
    db,
    sql`SELECT (SELECT MIN(${cleanLog.ts}) FROM ${cleanLog}) AS lines_from,
          (SELECT MIN(${rollupHour.bucket}) FROM ${rollupHour}) AS rollups_from,
          (SELECT MAX(${rollupCounted.updatedAt}) FROM ${rollupCounted}) AS rollups_updated`,
  );
  return {
    linesFromMs: timeOf(row?.lines_from),
    rollupsFromMs: timeOf(row?.rollups_from),
    rollupsUpdatedMs: timeOf(row?.rollups_updated),
  };
}

/** Every rollup table but rollup_state (the upkeep's own, which nothing reads for figures). */
export const ROLLUP_TABLES = [
  'rollup_minute',
  'rollup_hour',
  'rollup_day',
  'rollup_top',
  'rollup_top_day',
  'rollup_counted',
];

/** The rollup tables this database lacks (they come with migrations 0007 and 0008). */
export async function missingRollupTables(db: Database): Promise<string[]> {
  const rows = await select<{ name: string }>(
    db,
    sql`SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = DATABASE() AND table_name IN (${sql.join(
          ROLLUP_TABLES.map((name) => sql`${name}`),
          sql`, `,
        )})`,
  );
  const present = new Set(rows.map((row) => String(row.name).toLowerCase()));
  return ROLLUP_TABLES.filter((name) => !present.has(name));
}

export async function select<Row>(db: Database, query: SQL): Promise<Row[]> {
  const [rows] = (await db.execute(query)) as unknown as [Row[], unknown];
  return rows;
}

/** A count or sum as mysql2 hands it over (a number, a decimal string, or null for an empty SUM). */
export function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value);
}

export function timeOf(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string') return null;
  // A DATETIME read as a string ('2026-11-28 17:00:00.000') is UTC. Read digit by digit: a month's
  // series reads three of them per stored bucket, and the Date parser costs several times more.
  if (DATETIME.test(value)) {
    const fraction = value.length > 20 ? Math.round(Number(`0.${value.slice(20)}`) * 1000) : 0;
    const year = digitsOf(value, 0, 4);
    const month = digitsOf(value, 5, 2) - 1;
    const day = digitsOf(value, 8, 2);
    const hour = digitsOf(value, 11, 2);
    const minute = digitsOf(value, 14, 2);
    return Date.UTC(year, month, day, hour, minute, digitsOf(value, 17, 2)) + fraction;
  }
  return new Date(`${value.replace(' ', 'T')}Z`).getTime();
}

/** The number written by `count` ASCII digits of `text` from `from`. */
function digitsOf(text: string, from: number, count: number): number {
  let number = 0;
  for (let index = from; index < from + count; index++) number = number * 10 + text.charCodeAt(index) - 48;
  return number;
}

const DATETIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?$/;
