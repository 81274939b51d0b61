/**
 * Aggregate read queries for `lograbbit stats` and the dashboard: traffic over a time range and
 * source, top values of a column, a search of requests paged by key, and the pipeline's row counts.
 * Every value from a caller reaches SQL as a bound parameter; column names come from the fixed maps
 * below. Columns added by a later migration (geo, user agent) are looked up once, and a panel over a
 * column the database does not have yet answers `available: false` instead of failing.
 */
import { sql } from 'drizzle-orm';
import type { SQL, SQLWrapper } from 'drizzle-orm';
import type { Database } from './database.js';
import { cleanLog, rawLog, rejectedLog } from './schema.js';

/** The rows a traffic panel looks at: `from` ≤ ts < `to`, of one source or of all. */
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
  /** Distinct client addresses in the bucket. */
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

/** Columns a "top" panel can rank. */
export const TOP_DIMENSIONS = [
  'path',
  'notFound',
  'host',
  'country',
  'browser',
  'os',
  'device',
  'referrer',
  'status',
  'user',
] as const;
export type TopDimension = (typeof TOP_DIMENSIONS)[number];

export interface TopEntry {
  readonly value: string | null;
  readonly requests: number;
  readonly bytes: number;
}

export interface TopResult {
  readonly dimension: TopDimension;
  /** False when the column is not in the database yet (its migration has not run). */
  readonly available: boolean;
  readonly entries: readonly TopEntry[];
}

export interface HourEntry {
  /** Hour of the day, UTC, 0–23. */
  readonly hour: number;
  readonly requests: number;
  readonly bytes: number;
}

/** Search criteria; each given one narrows the search. */
export interface RequestSearch extends TrafficFilter {
  /** An exact status (404) or a class (`4xx`). */
  readonly status?: string | undefined;
  /** Paths starting with this text. */
  readonly pathPrefix?: string | undefined;
  readonly ip?: string | undefined;
  readonly user?: string | undefined;
}

/** Where a page of results starts: after the row with this time and event id (newest first). */
export interface RequestCursor {
  readonly ts: Date;
  readonly eventId: Buffer;
}

export interface RequestRow {
  readonly eventId: string;
  readonly tsMs: number;
  readonly source: string;
  readonly ip: string | null;
  readonly user: string | null;
  readonly method: string | null;
  readonly host: string | null;
  readonly path: string | null;
  readonly status: number;
  readonly bytes: number;
  readonly country: string | null;
  readonly browser: string | null;
  readonly os: string | null;
  readonly isBot: boolean | null;
}

export interface RequestPage {
  readonly rows: readonly RequestRow[];
  /** Pass it back for the next (older) page; null on the last page. */
  readonly next: RequestCursor | null;
}

export interface ReasonCount {
  readonly reason: string;
  readonly lines: number;
}

/** The clean_log columns a later migration adds: their panels wait for them. */
const OPTIONAL_COLUMNS = ['country', 'browser', 'os', 'device', 'is_bot', 'referrer_host'] as const;
type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number];

/** The columns of clean_log this database has, among the optional ones. */
export async function optionalColumnsOf(db: Database): Promise<ReadonlySet<string>> {
  const rows = await select<{ name: string }>(
    db,
    sql`SELECT column_name AS name FROM information_schema.columns
        WHERE table_schema = DATABASE() AND table_name = 'clean_log'`,
  );
  const present = new Set(rows.map((row) => row.name.toLowerCase()));
  return new Set(OPTIONAL_COLUMNS.filter((column) => present.has(column)));
}

/** Bucket start in seconds since the epoch; TIMESTAMPDIFF ignores the session time zone (ts is UTC). */
const epochSeconds = sql`TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', ${cleanLog.ts})`;

function whereOf(filter: TrafficFilter, extra: readonly SQL[] = []): SQL {
  const conditions = [sql`${cleanLog.ts} >= ${filter.from}`, sql`${cleanLog.ts} < ${filter.to}`];
  if (filter.source !== undefined) conditions.push(sql`${cleanLog.source} = ${filter.source}`);
  return sql.join([...conditions, ...extra], sql` AND `);
}

/** Requests, visitors, bandwidth, status classes and bots per bucket of `bucketSeconds`. */
export async function trafficSeries(
  db: Database,
  filter: TrafficFilter,
  bucketSeconds: number,
  columns: ReadonlySet<string>,
): Promise<TrafficBucket[]> {
  const bucket = Math.max(1, Math.floor(bucketSeconds));
  const bots = columns.has('is_bot') ? sql`SUM(${cleanLog.isBot} = 1)` : sql`NULL`;
  const rows = await select<Record<string, string | number | null>>(
    db,
    sql`SELECT FLOOR(${epochSeconds} / ${bucket}) AS b, COUNT(*) AS requests,
          COUNT(DISTINCT ${cleanLog.ip}) AS visitors, SUM(${cleanLog.bytes}) AS bytes,
          SUM(${cleanLog.status} BETWEEN 200 AND 299) AS s2xx, SUM(${cleanLog.status} BETWEEN 300 AND 399) AS s3xx,
          SUM(${cleanLog.status} BETWEEN 400 AND 499) AS s4xx, SUM(${cleanLog.status} BETWEEN 500 AND 599) AS s5xx,
          ${bots} AS bots
        FROM ${cleanLog} WHERE ${whereOf(filter)} GROUP BY b ORDER BY b`,
  );
  return rows.map((row) => {
    const requests = num(row.requests);
    const s2xx = num(row.s2xx);
    const s3xx = num(row.s3xx);
    const s4xx = num(row.s4xx);
    const s5xx = num(row.s5xx);
    return {
      t: num(row.b) * bucket * 1000,
      requests,
      visitors: num(row.visitors),
      bytes: num(row.bytes),
      s2xx,
      s3xx,
      s4xx,
      s5xx,
      sOther: requests - s2xx - s3xx - s4xx - s5xx,
      bots: row.bots === null ? (columns.has('is_bot') ? 0 : null) : num(row.bots),
    };
  });
}

/** Totals over the range: requests, distinct visitors, bandwidth, bots and humans. */
export async function trafficSummary(
  db: Database,
  filter: TrafficFilter,
  columns: ReadonlySet<string>,
): Promise<TrafficSummary> {
  const hasBot = columns.has('is_bot');
  const botColumns = hasBot
    ? sql`SUM(${cleanLog.isBot} = 1) AS bots, SUM(${cleanLog.isBot} = 0) AS humans,
          SUM(${cleanLog.isBot} IS NULL) AS unknown_agent`
    : sql`NULL AS bots, NULL AS humans, NULL AS unknown_agent`;
  const [row] = await select<Record<string, string | number | Date | null>>(
    db,
    sql`SELECT COUNT(*) AS requests, COUNT(DISTINCT ${cleanLog.ip}) AS visitors,
          SUM(${cleanLog.bytes}) AS bytes, ${botColumns},
          MIN(${cleanLog.ts}) AS first_ts, MAX(${cleanLog.ts}) AS last_ts
        FROM ${cleanLog} WHERE ${whereOf(filter)}`,
  );
  const optional = (value: unknown): number | null => (hasBot ? num(value) : null);
  return {
    requests: num(row?.requests),
    visitors: num(row?.visitors),
    bytes: num(row?.bytes),
    bots: optional(row?.bots),
    humans: optional(row?.humans),
    unknownAgent: optional(row?.unknown_agent),
    firstMs: timeOf(row?.first_ts),
    lastMs: timeOf(row?.last_ts),
  };
}

/**
 * The secondary indexes of clean_log that a top panel over a wide range must not walk: each row they
 * lead to is a random read of the table, where one sequential scan reads it all.
 */
const SCAN_INSTEAD_OF = ['clean_log_ts_traffic', 'clean_log_source_traffic', 'clean_log_ip_ts'];

/** Which of those indexes this database has (a hint naming a missing index is an error). */
export async function scanHintIndexesOf(db: Database): Promise<readonly string[]> {
  const rows = await select<{ name: string }>(
    db,
    sql`SELECT DISTINCT index_name AS name FROM information_schema.statistics
        WHERE table_schema = DATABASE() AND table_name = 'clean_log'`,
  );
  const present = new Set(rows.map((row) => row.name));
  return SCAN_INSTEAD_OF.filter((name) => present.has(name));
}

/** What each top panel groups by, and the column it needs. */
const TOP_COLUMNS: Record<TopDimension, { readonly value: SQL; readonly needs?: OptionalColumn }> = {
  // Paths are TEXT; grouping on their first 255 characters keeps the temporary table in memory.
  path: { value: sql`LEFT(${cleanLog.path}, 255)` },
  notFound: { value: sql`LEFT(${cleanLog.path}, 255)` },
  host: { value: sql`${cleanLog.host}` },
  country: { value: sql`${cleanLog.country}`, needs: 'country' },
  browser: { value: sql`${cleanLog.browser}`, needs: 'browser' },
  os: { value: sql`${cleanLog.os}`, needs: 'os' },
  device: { value: sql`${cleanLog.device}`, needs: 'device' },
  referrer: { value: sql`${cleanLog.referrerHost}`, needs: 'referrer_host' },
  status: { value: sql`${cleanLog.status}` },
  user: { value: sql`${cleanLog.user}` },
};

/**
 * The `limit` most frequent values of a column over the range, most requests first. `ignoreIndexes`
 * (from `scanHintIndexesOf`) makes a range that holds much of the table a sequential scan: reading rows
 * one by one through a time index is far slower then, once the table outgrows the buffer pool.
 */
export async function topValues(
  db: Database,
  dimension: TopDimension,
  filter: TrafficFilter,
  limit: number,
  columns: ReadonlySet<string>,
  ignoreIndexes: readonly string[] = [],
): Promise<TopResult> {
  const { value, needs } = TOP_COLUMNS[dimension];
  if (needs !== undefined && !columns.has(needs)) return { dimension, available: false, entries: [] };
  const extra = dimension === 'notFound' ? [sql`${cleanLog.status} = 404`] : [];
  // Index names come from the fixed list above, never from a caller.
  const ignored = ignoreIndexes.filter((name) => SCAN_INSTEAD_OF.includes(name));
  const hint = ignored.length === 0 ? sql`` : sql.raw(` IGNORE INDEX (${ignored.join(', ')})`);
  const rows = await select<{ value: string | number | null; requests: unknown; bytes: unknown }>(
    db,
    sql`SELECT ${value} AS value, COUNT(*) AS requests, SUM(${cleanLog.bytes}) AS bytes
        FROM ${cleanLog}${hint} WHERE ${whereOf(filter, extra)}
        GROUP BY value ORDER BY requests DESC, value LIMIT ${Math.max(1, Math.floor(limit))}`,
  );
  return {
    dimension,
    available: true,
    entries: rows.map((row) => ({
      value: row.value === null ? null : String(row.value),
      requests: num(row.requests),
      bytes: num(row.bytes),
    })),
  };
}

/** Requests per hour of the day (UTC) over the range: the busiest hours. */
export async function busiestHours(db: Database, filter: TrafficFilter): Promise<HourEntry[]> {
  const rows = await select<{ hour: unknown; requests: unknown; bytes: unknown }>(
    db,
    sql`SELECT HOUR(${cleanLog.ts}) AS hour, COUNT(*) AS requests, SUM(${cleanLog.bytes}) AS bytes
        FROM ${cleanLog} WHERE ${whereOf(filter)} GROUP BY hour ORDER BY hour`,
  );
  return rows.map((row) => ({ hour: num(row.hour), requests: num(row.requests), bytes: num(row.bytes) }));
}

/** Escapes `%`, `_` and `\` so that a prefix matches literally in LIKE. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** The status condition of a search: `404` exactly, or `4xx` as 400–499. */
function statusCondition(status: string): SQL {
  const classMatch = /^([1-5])xx$/i.exec(status);
  if (classMatch) {
    const low = Number(classMatch[1]) * 100;
    return sql`${cleanLog.status} BETWEEN ${low} AND ${low + 99}`;
  }
  return sql`${cleanLog.status} = ${Number(status)}`;
}

/** Requests matching `search`, newest first, `limit` per page, paged by (ts, event id). */
export async function searchRequests(
  db: Database,
  search: RequestSearch,
  limit: number,
  columns: ReadonlySet<string>,
  after?: RequestCursor,
): Promise<RequestPage> {
  const extra: SQL[] = [];
  if (search.status !== undefined) extra.push(statusCondition(search.status));
  if (search.pathPrefix !== undefined)
    extra.push(sql`${cleanLog.path} LIKE ${likePrefix(search.pathPrefix)}`);
  if (search.ip !== undefined) extra.push(sql`${cleanLog.ip} = ${search.ip}`);
  if (search.user !== undefined) extra.push(sql`${cleanLog.user} = ${search.user}`);
  if (after) {
    extra.push(
      sql`(${cleanLog.ts} < ${after.ts} OR (${cleanLog.ts} = ${after.ts} AND ${cleanLog.eventId} < ${after.eventId}))`,
    );
  }
  const optional = (column: OptionalColumn, expression: SQL, as: string): SQL =>
    columns.has(column) ? sql`${expression} AS ${sql.raw(as)}` : sql`NULL AS ${sql.raw(as)}`;
  const size = Math.max(1, Math.floor(limit));
  const rows = await select<Record<string, unknown>>(
    db,
    sql`SELECT ${cleanLog.eventId} AS event_id, ${cleanLog.ts} AS ts, ${cleanLog.source} AS source,
          ${cleanLog.ip} AS ip, ${cleanLog.user} AS user, ${cleanLog.method} AS method,
          ${cleanLog.host} AS host, LEFT(${cleanLog.path}, 300) AS path, ${cleanLog.status} AS status,
          ${cleanLog.bytes} AS bytes, ${optional('country', sql`${cleanLog.country}`, 'country')},
          ${optional('browser', sql`${cleanLog.browser}`, 'browser')}, ${optional('os', sql`${cleanLog.os}`, 'os')},
          ${optional('is_bot', sql`${cleanLog.isBot}`, 'is_bot')}
        FROM ${cleanLog} WHERE ${whereOf(search, extra)}
        ORDER BY ${cleanLog.ts} DESC, ${cleanLog.eventId} DESC LIMIT ${size + 1}`,
  );
  const page = rows.slice(0, size).map((row): RequestRow => ({
    eventId: (row.event_id as Buffer).toString('hex'),
    tsMs: timeOf(row.ts) ?? 0,
    source: String(row.source),
    ip: text(row.ip),
    user: text(row.user),
    method: text(row.method),
    host: text(row.host),
    path: text(row.path),
    status: num(row.status),
    bytes: num(row.bytes),
    country: text(row.country),
    browser: text(row.browser),
    os: text(row.os),
    isBot: row.is_bot === null || row.is_bot === undefined ? null : Boolean(Number(row.is_bot)),
  }));
  const last = page[page.length - 1];
  const next =
    rows.length > size && last
      ? { ts: new Date(last.tsMs), eventId: Buffer.from(last.eventId, 'hex') }
      : null;
  return { rows: page, next };
}

/** The sources that have parsed rows, in name order (a loose scan of the (source, ts) index). */
export async function listSources(db: Database): Promise<string[]> {
  const rows = await select<{ source: string }>(
    db,
    sql`SELECT DISTINCT ${cleanLog.source} AS source FROM ${cleanLog} ORDER BY source`,
  );
  return rows.map((row) => row.source);
}

/** The most frequent reject reasons, exactly as stored. */
export async function rejectReasons(db: Database, limit: number): Promise<ReasonCount[]> {
  const rows = await select<{ reason: string; n: unknown }>(
    db,
    sql`SELECT ${rejectedLog.reason} AS reason, COUNT(*) AS n FROM ${rejectedLog}
        GROUP BY reason ORDER BY n DESC LIMIT ${Math.max(1, Math.floor(limit))}`,
  );
  return rows.map((row) => ({ reason: row.reason, lines: num(row.n) }));
}

export interface RecentCounts {
  /** Lines read since `since` (by the time a producer read them) and stored in raw_log. */
  readonly raw: number;
  /** Lines read since `since` that no format accepted. */
  readonly rejected: number;
}

/**
 * Lines read since `since`: counted per source so that each count is a range of the
 * (source, received_at) indexes, without an index of its own.
 */
export async function countRecent(db: Database, since: Date): Promise<RecentCounts> {
  const count = async (table: SQLWrapper, source: SQLWrapper, receivedAt: SQLWrapper): Promise<number> => {
    const sources = await select<{ source: string }>(
      db,
      sql`SELECT DISTINCT ${source} AS source FROM ${table}`,
    );
    if (sources.length === 0) return 0;
    const list = sql.join(
      sources.map((row) => sql`${row.source}`),
      sql`, `,
    );
    const [row] = await select<{ n: unknown }>(
      db,
      sql`SELECT COUNT(*) AS n FROM ${table} WHERE ${source} IN (${list}) AND ${receivedAt} >= ${since}`,
    );
    return num(row?.n);
  };
  const [raw, rejected] = await Promise.all([
    count(rawLog, rawLog.source, rawLog.receivedAt),
    count(rejectedLog, rejectedLog.source, rejectedLog.receivedAt),
  ]);
  return { raw, rejected };
}

async function select<Row>(db: Database, query: SQL): Promise<Row[]> {
  const [rows] = (await db.execute(query)) as unknown as [Row[], unknown];
  return rows;
}

/** A count or sum as mysql2 hands it over (a number, a decimal string, or null for an empty SUM). */
function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value);
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : JSON.stringify(value);
}

function timeOf(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  // A DATETIME read as a string ('2026-11-28 17:00:00.000') is UTC.
  return typeof value === 'string' ? new Date(`${value.replace(' ', 'T')}Z`).getTime() : null;
}

/** The traffic queries bound to one database, with its optional columns looked up now and then. */
export interface StatsReader {
  sources(): Promise<string[]>;
  /** The first and last request time (of one source or all), epoch ms; null when there is none. */
  bounds(source?: string): Promise<{ readonly firstMs: number; readonly lastMs: number } | null>;
  series(filter: TrafficFilter, bucketSeconds: number): Promise<TrafficBucket[]>;
  summary(filter: TrafficFilter): Promise<TrafficSummary>;
  top(dimension: TopDimension, filter: TrafficFilter, limit: number): Promise<TopResult>;
  hours(filter: TrafficFilter): Promise<HourEntry[]>;
  search(search: RequestSearch, limit: number, after?: RequestCursor): Promise<RequestPage>;
}

/** How long the list of optional columns is trusted: a migration run meanwhile shows within a minute. */
const COLUMNS_TTL_MS = 60_000;
/** A top panel whose range spans more than this share of the data's time scans the table instead. */
const WIDE_RANGE_SHARE = 0.1;

export function createStatsReader(db: Database): StatsReader {
  type Schema = { readonly columns: ReadonlySet<string>; readonly scanHints: readonly string[] };
  let schema: Promise<Schema> | undefined;
  let schemaAt = 0;
  const schemaNow = (): Promise<Schema> => {
    if (!schema || Date.now() - schemaAt > COLUMNS_TTL_MS) {
      schemaAt = Date.now();
      schema = Promise.all([optionalColumnsOf(db), scanHintIndexesOf(db)]).then(
        ([columns, scanHints]) => ({ columns, scanHints }),
        (error: unknown) => {
          schema = undefined;
          throw error;
        },
      );
    }
    return schema;
  };
  const columnsNow = async (): Promise<ReadonlySet<string>> => (await schemaNow()).columns;
  const bounds = async (source?: string): Promise<{ firstMs: number; lastMs: number } | null> => {
    const where = source === undefined ? sql`TRUE` : sql`${cleanLog.source} = ${source}`;
    const [row] = await select<{ first_ts: unknown; last_ts: unknown }>(
      db,
      sql`SELECT MIN(${cleanLog.ts}) AS first_ts, MAX(${cleanLog.ts}) AS last_ts FROM ${cleanLog} WHERE ${where}`,
    );
    const firstMs = timeOf(row?.first_ts);
    const lastMs = timeOf(row?.last_ts);
    return firstMs === null || lastMs === null ? null : { firstMs, lastMs };
  };
  return {
    sources: () => listSources(db),
    bounds,
    series: async (filter, bucketSeconds) => trafficSeries(db, filter, bucketSeconds, await columnsNow()),
    summary: async (filter) => trafficSummary(db, filter, await columnsNow()),
    async top(dimension, filter, limit) {
      const [{ columns, scanHints }, span] = await Promise.all([schemaNow(), bounds(filter.source)]);
      const covered = span
        ? Math.min(filter.to.getTime(), span.lastMs + 1) - Math.max(filter.from.getTime(), span.firstMs)
        : 0;
      const wide = span !== null && covered > WIDE_RANGE_SHARE * Math.max(1, span.lastMs - span.firstMs);
      return topValues(db, dimension, filter, limit, columns, wide ? scanHints : []);
    },
    hours: (filter) => busiestHours(db, filter),
    search: async (search, limit, after) => searchRequests(db, search, limit, await columnsNow(), after),
  };
}
