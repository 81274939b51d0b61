/**
 * The reads behind `lograbbit stats` and the dashboard: the traffic panels from the rollups
 * (rollup-queries.ts), the search of requests paged by key from clean_log, and the pipeline's cheap
 * counts. Every value from a caller reaches SQL as a bound parameter; column names come from fixed
 * maps. A panel over a clean_log column the database does not have yet (its migration has not run)
 * answers `available: false`; a database without the rollups says to run `lograbbit setup`.
 */
import { readLagOf } from './read-lag.js';
import type { ReadLag } from './read-lag.js';
import { searchRequests } from './request-search.js';
import type { RequestCursor, RequestPage, RequestSearch } from './request-search.js';
import { sql } from './drizzle.js';
import type { SQLWrapper } from 'drizzle-orm';
import type { Database } from './database.js';
import {
  countedLines,
  historySpan,
  hoursOf,
  missingRollupTables,
  num,
  rollupBounds,
  rollupSources,
  select,
  topOver,
  trafficReport,
} from './rollup-queries.js';
import type { HistorySpan, TopResult, TrafficFilter, TrafficReport } from './rollup-queries.js';
import { TOP_DIMENSIONS } from './rollup/tally.js';
import type { TopDimension } from './rollup/tally.js';
import { rawLog, rejectedLog } from './schema.js';

export { TOP_DIMENSIONS };
export type { TopDimension };
export type {
  HistorySpan,
  HourEntry,
  TopEntry,
  TopResult,
  TrafficBucket,
  TrafficFilter,
  TrafficReport,
  TrafficSummary,
} from './rollup-queries.js';
export { hoursOf, minutesOf } from './rollup-queries.js';
export { searchRequests } from './request-search.js';
export type { RequestCursor, RequestPage, RequestRow, RequestSearch } from './request-search.js';

export interface ReasonCount {
  readonly reason: string;
  readonly lines: number;
}

/**
 * The clean_log columns a later migration adds: their panels wait for them, and the search by
 * address walks the hours only once `ts_hour` (migration 0009) is there.
 */
const OPTIONAL_COLUMNS = [
  'country',
  'browser',
  'os',
  'device',
  'is_bot',
  'referrer_host',
  'ts_hour',
] as const;
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

/**
 * The most frequent reject reasons, exactly as stored, among the lines read since `since`: at most
 * the `perSource` newest of each source, each a range of the (source, received_at) index, so that a
 * large rejected_log costs no more than a small one.
 */
export async function rejectReasons(
  db: Database,
  limit: number,
  since: Date,
  perSource = 10_000,
): Promise<ReasonCount[]> {
  const sources = await select<{ source: string }>(
    db,
    sql`SELECT DISTINCT ${rejectedLog.source} AS source FROM ${rejectedLog}`,
  );
  if (sources.length === 0) return [];
  const newest = sql.join(
    sources.map(
      (row) =>
        sql`(SELECT ${rejectedLog.reason} AS reason FROM ${rejectedLog}
            WHERE ${rejectedLog.source} = ${row.source} AND ${rejectedLog.receivedAt} >= ${since}
            ORDER BY ${rejectedLog.receivedAt} DESC LIMIT ${perSource})`,
    ),
    sql` UNION ALL `,
  );
  const rows = await select<{ reason: string; n: unknown }>(
    db,
    sql`SELECT reason, COUNT(*) AS n FROM (${newest}) AS recent
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

/** A database migrated before the rollups: the traffic panels cannot answer until `setup` runs. */
export class RollupsMissingError extends Error {
  constructor(missing: readonly string[]) {
    super(
      `the database has no ${missing.join(', ')} yet: run \`lograbbit setup\` to migrate it (it counts the stored lines into the rollups)`,
    );
  }
}

/** The clean_log column each top panel needs: a database without it answers `available: false`. */
const TOP_NEEDS: Partial<Record<TopDimension, OptionalColumn>> = {
  country: 'country',
  browser: 'browser',
  os: 'os',
  device: 'device',
  referrer: 'referrer_host',
};

/** The dashboard's and `stats`' reads bound to one database, with its tables looked up now and then. */
export interface StatsReader {
  /** The sources the rollups have counted lines of. */
  sources(): Promise<string[]>;
  /** The first and last request time (of one source or all), epoch ms; null when there is none. */
  bounds(source?: string): Promise<{ readonly firstMs: number; readonly lastMs: number } | null>;
  /** Series (buckets of `bucketSeconds`, whole minutes), totals and busiest hours of a range. */
  traffic(filter: TrafficFilter, bucketSeconds: number): Promise<TrafficReport>;
  /** The top values of a panel over the range's whole hours. */
  top(dimension: TopDimension, filter: TrafficFilter, limit: number): Promise<TopResult>;
  /** How far back lines and rollups go, and how fresh the rollups are. */
  history(): Promise<HistorySpan>;
  search(search: RequestSearch, limit: number, after?: RequestCursor): Promise<RequestPage>;
  /** How far behind its source the node read from is (a replica, a Galera node); null for a primary. */
  readLag(): Promise<ReadLag | null>;
}

/** How long the lookup of tables and columns is trusted: a migration run meanwhile shows within a minute. */
const SCHEMA_TTL_MS = 60_000;

export function createStatsReader(db: Database): StatsReader {
  type Schema = { readonly columns: ReadonlySet<string>; readonly missingRollups: readonly string[] };
  let schema: Promise<Schema> | undefined;
  let schemaAt = 0;
  const schemaNow = (): Promise<Schema> => {
    if (!schema || Date.now() - schemaAt > SCHEMA_TTL_MS) {
      schemaAt = Date.now();
      schema = Promise.all([optionalColumnsOf(db), missingRollupTables(db)]).then(
        ([columns, missingRollups]) => ({ columns, missingRollups }),
        (error: unknown) => {
          schema = undefined;
          throw error;
        },
      );
    }
    return schema;
  };
  /** The schema, once the rollups are known to be there. */
  const withRollups = async (): Promise<Schema> => {
    const now = await schemaNow();
    if (now.missingRollups.length > 0) throw new RollupsMissingError(now.missingRollups);
    return now;
  };
  return {
    readLag: () => readLagOf(db.$client),
    async sources() {
      await withRollups();
      return rollupSources(db);
    },
    async bounds(source) {
      await withRollups();
      return rollupBounds(db, source);
    },
    async traffic(filter, bucketSeconds) {
      const { columns } = await withRollups();
      return trafficReport(db, filter, bucketSeconds, columns.has('is_bot'));
    },
    async top(dimension, filter, limit) {
      const { columns } = await withRollups();
      const needs = TOP_NEEDS[dimension];
      if (needs !== undefined && !columns.has(needs)) {
        const range = hoursOf(filter);
        return {
          dimension,
          available: false,
          from: range.from.getTime(),
          to: range.to.getTime(),
          entries: [],
        };
      }
      return topOver(db, dimension, filter, limit);
    },
    async history() {
      await withRollups();
      return historySpan(db);
    },
    search: async (search, limit, after) =>
      searchRequests(db, search, limit, (await schemaNow()).columns, after),
  };
}

export { countedLines, historySpan, missingRollupTables };
