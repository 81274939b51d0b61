/**
 * The dashboard's search of stored requests: clean_log's rows matching some criteria, newest first,
 * a page at a time, paged by key (ts, event id). A search by client address walks the hours of the
 * range newest first along `clean_log_hour_ip_ts`, so that it costs a seek per hour rather than a
 * read of the whole range; the others read the time indexes newest first.
 */
import { sql } from './drizzle.js';
import type { SQL } from 'drizzle-orm';
import type { Database } from './database.js';
import { num, select, timeOf } from './rollup-queries.js';
import type { TrafficFilter } from './rollup-queries.js';
import { cleanLog } from './schema.js';

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

const HOUR_MS = 3_600_000;
/** `ts_hour` of 1970-01-01 00:00: TO_SECONDS counts from year 0, 62,167,219,200 s before 1970. */
const TS_HOUR_AT_EPOCH = 17_268_672;
/** clean_log's `ts_hour` of an instant (epoch ms). */
export const tsHourOf = (ms: number): number => TS_HOUR_AT_EPOCH + Math.floor(ms / HOUR_MS);
const hourStartMs = (hour: number): number => (hour - TS_HOUR_AT_EPOCH) * HOUR_MS;

/**
 * The most hours one query of the walk reads (a UNION ALL of one LIMITed query per hour). The walk
 * starts with one hour and doubles: a frequent address fills its page in the first hour or two, a
 * rare one is read in few round trips. See bench/RESULTS.md for the sizes tried.
 */
const MAX_HOURS_PER_QUERY = 64;

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

/** Every condition of a search but its time range: the criteria, and the cursor's place. */
function criteriaOf(search: RequestSearch, after: RequestCursor | undefined): SQL[] {
  const conditions: SQL[] = [];
  if (search.source !== undefined) conditions.push(sql`${cleanLog.source} = ${search.source}`);
  if (search.status !== undefined) conditions.push(statusCondition(search.status));
  if (search.pathPrefix !== undefined)
    conditions.push(sql`${cleanLog.path} LIKE ${likePrefix(search.pathPrefix)}`);
  if (search.ip !== undefined) conditions.push(sql`${cleanLog.ip} = ${search.ip}`);
  if (search.user !== undefined) conditions.push(sql`${cleanLog.user} = ${search.user}`);
  if (after) {
    conditions.push(
      sql`(${cleanLog.ts} < ${after.ts} OR (${cleanLog.ts} = ${after.ts} AND ${cleanLog.eventId} < ${after.eventId}))`,
    );
  }
  return conditions;
}

const NEWEST_FIRST = sql`ORDER BY ts DESC, event_id DESC`;

/** The rows of `[fromMs, toMs)` that meet `criteria`, newest first, at most `limit`. */
function rangeQuery(
  columns: SQL,
  criteria: readonly SQL[],
  fromMs: number,
  toMs: number,
  limit: number,
  indexHint: SQL = sql``,
): SQL {
  const where = sql.join(
    [sql`${cleanLog.ts} >= ${new Date(fromMs)}`, sql`${cleanLog.ts} < ${new Date(toMs)}`, ...criteria],
    sql` AND `,
  );
  return sql`SELECT ${columns} FROM ${cleanLog}${indexHint} WHERE ${where} ${NEWEST_FIRST} LIMIT ${limit}`;
}

/**
 * Named for each hour's query: the optimizer's only other candidate is the time index, and weighing
 * it costs a few dives into it per hour, several times the cost of the hour's own seek (pages of
 * old days the walk would not touch otherwise). Migration 0009 adds it with `ts_hour`.
 */
const BY_HOUR_INDEX = sql` FORCE INDEX (clean_log_hour_ip_ts)`;

/**
 * The rows of the given hours (newest first) of `[fromMs, toMs)`, at most `limit`. Each hour is its
 * own query: `ts_hour = h AND ip = ?` reads the index backwards from the newest line and stops at
 * `limit`, where one range of hours would read every line of the address in them and sort them.
 * The hour's bounds on `ts` keep each to one day partition.
 */
function hoursQuery(
  columns: SQL,
  criteria: readonly SQL[],
  hours: readonly number[],
  fromMs: number,
  toMs: number,
  limit: number,
): SQL {
  const perHour = hours.map((hour) => {
    const start = Math.max(fromMs, hourStartMs(hour));
    const end = Math.min(toMs, hourStartMs(hour + 1));
    return rangeQuery(
      columns,
      [sql`${cleanLog.tsHour} = ${hour}`, ...criteria],
      start,
      end,
      limit,
      BY_HOUR_INDEX,
    );
  });
  if (perHour.length === 1) return perHour[0] as SQL;
  const union = sql.join(
    perHour.map((query) => sql`(${query})`),
    sql` UNION ALL `,
  );
  return sql`SELECT * FROM (${union}) AS hours ${NEWEST_FIRST} LIMIT ${limit}`;
}

/** The first and last line time in `[fromMs, toMs)` (of the source searched, if any): two index ends. */
async function lineSpan(
  db: Database,
  source: string | undefined,
  fromMs: number,
  toMs: number,
): Promise<{ firstMs: number; lastMs: number } | null> {
  const bySource = source === undefined ? [] : [sql`${cleanLog.source} = ${source}`];
  const where = sql.join(
    [sql`${cleanLog.ts} >= ${new Date(fromMs)}`, sql`${cleanLog.ts} < ${new Date(toMs)}`, ...bySource],
    sql` AND `,
  );
  const [row] = await select<{ first_ts: unknown; last_ts: unknown }>(
    db,
    sql`SELECT MIN(${cleanLog.ts}) AS first_ts, MAX(${cleanLog.ts}) AS last_ts FROM ${cleanLog} WHERE ${where}`,
  );
  const firstMs = timeOf(row?.first_ts);
  const lastMs = timeOf(row?.last_ts);
  return firstMs === null || lastMs === null ? null : { firstMs, lastMs };
}

/**
 * The newest `want` rows of `[fromMs, toMs)` meeting `criteria` (which name an address), hour by
 * hour, newest first. The first query reads the newest hour alone; if the page is not full, the
 * hours to walk are narrowed to those holding lines (the range's first and last line, two index
 * ends), so that a range reaching far past the data costs nothing for the hours without any.
 */
async function newestByHour(
  db: Database,
  columns: SQL,
  criteria: readonly SQL[],
  source: string | undefined,
  fromMs: number,
  toMs: number,
  want: number,
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let newest = tsHourOf(toMs - 1);
  let oldest = tsHourOf(fromMs);
  let perQuery = 1;
  let narrowed = false;
  while (newest >= oldest && rows.length < want) {
    const hours: number[] = [];
    for (let hour = newest; hour >= oldest && hours.length < perQuery; hour--) hours.push(hour);
    rows.push(
      ...(await select<Record<string, unknown>>(
        db,
        hoursQuery(columns, criteria, hours, fromMs, toMs, want - rows.length),
      )),
    );
    newest -= hours.length;
    perQuery = Math.min(perQuery * 2, MAX_HOURS_PER_QUERY);
    if (!narrowed && rows.length < want && newest >= oldest) {
      narrowed = true;
      const span = await lineSpan(db, source, fromMs, hourStartMs(newest + 1));
      if (span === null) break;
      newest = Math.min(newest, tsHourOf(span.lastMs));
      oldest = Math.max(oldest, tsHourOf(span.firstMs));
    }
  }
  return rows;
}

/**
 * Requests matching `search`, newest first, `limit` per page, paged by (ts, event id). `columns`
 * are the optional columns this database has (optionalColumnsOf): a panel column it lacks reads as
 * null, and without `ts_hour` (before migration 0009) a search by address reads the range at once.
 */
export async function searchRequests(
  db: Database,
  search: RequestSearch,
  limit: number,
  columns: ReadonlySet<string>,
  after?: RequestCursor,
): Promise<RequestPage> {
  const optional = (column: string, expression: SQL): SQL =>
    columns.has(column) ? sql`${expression} AS ${sql.raw(column)}` : sql`NULL AS ${sql.raw(column)}`;
  const selected = sql`${cleanLog.eventId} AS event_id, ${cleanLog.ts} AS ts, ${cleanLog.source} AS source,
    ${cleanLog.ip} AS ip, ${cleanLog.user} AS user, ${cleanLog.method} AS method,
    ${cleanLog.host} AS host, LEFT(${cleanLog.path}, 300) AS path, ${cleanLog.status} AS status,
    ${cleanLog.bytes} AS bytes, ${optional('country', sql`${cleanLog.country}`)},
    ${optional('browser', sql`${cleanLog.browser}`)}, ${optional('os', sql`${cleanLog.os}`)},
    ${optional('is_bot', sql`${cleanLog.isBot}`)}`;
  const size = Math.max(1, Math.floor(limit));
  const criteria = criteriaOf(search, after);
  const fromMs = search.from.getTime();
  // Past the cursor only older rows can come: the walk starts at its hour.
  const toMs = Math.min(search.to.getTime(), after ? after.ts.getTime() + 1 : Number.POSITIVE_INFINITY);
  let rows: Record<string, unknown>[] = [];
  if (fromMs < toMs) {
    rows =
      search.ip !== undefined && columns.has('ts_hour')
        ? await newestByHour(db, selected, criteria, search.source, fromMs, toMs, size + 1)
        : await select(db, rangeQuery(selected, criteria, fromMs, toMs, size + 1));
  }
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

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : JSON.stringify(value);
}
