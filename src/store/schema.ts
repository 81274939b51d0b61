/**
 * The tables, declared as drizzle models; `drizzle-kit generate` turns changes into the SQL
 * migrations committed under drizzle/. Real types, not VARCHAR(255) everywhere, and the indexes
 * the queries need, no more: each index costs every line stored.
 *
 * Every line table's primary key is the 16-byte event id (stream id + byte offset) with the line's
 * day: a redelivered message writes the same keys, and the writers skip a key that is already
 * stored. The three line tables are partitioned by day (RANGE COLUMNS, see partitions.ts): the
 * partitioning is not something drizzle declares, so migration 0006 writes it by hand, and the day
 * is in each primary key because MySQL and MariaDB require the partition column in every unique key.
 */
import { mysqlCore, sql } from './drizzle.js';

// Destructured here, not imported: drizzle.ts hands the builders over as one module.
const {
  bigint,
  boolean,
  customType,
  date,
  datetime,
  double,
  index,
  int,
  json,
  mysqlTable,
  primaryKey,
  smallint,
  text,
  time,
  tinyint,
  varchar,
} = mysqlCore;

/** Bytes, stored and read back exactly (mysql2 hands BINARY and BLOB columns over as Buffers). */
const bytes = (dataType: 'binary(8)' | 'binary(16)' | 'blob' | 'mediumblob' | 'longblob') =>
  customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => dataType });
const eventId = bytes('binary(16)');
const longblob = bytes('longblob');

/** Every non-blank line, byte for byte. */
export const rawLog = mysqlTable(
  'raw_log',
  {
    eventId: eventId('event_id').notNull(),
    source: varchar('source', { length: 255 }).notNull(),
    receivedAt: datetime('received_at', { mode: 'date', fsp: 3 }).notNull(),
    /** The line's own time, when a format could read one. */
    ts: datetime('ts', { mode: 'date', fsp: 3 }),
    /** The partition: the UTC day of `ts`, or 1000-01-01 (`UNTIMED_DAY`) for a line without a time. */
    day: date('day', { mode: 'string' }).notNull(),
    line: longblob('line').notNull(),
    /** The line was longer than the maximum line length and `line` holds its start only. */
    truncated: boolean('truncated').notNull().default(false),
    /** `line` as text, for people browsing the table; invalid UTF-8 shows as `?`. Not stored. */
    lineText: text('line_text').generatedAlwaysAs(sql`convert(\`line\` using utf8mb4)`, { mode: 'virtual' }),
  },
  // Only what the queries need: every index is paid for on each of the lines stored (the data
  // lake's line time, `ts`, is kept for people's own queries but not indexed: no query of ours uses it).
  (table) => [
    primaryKey({ name: 'raw_log_event_id_day', columns: [table.eventId, table.day] }),
    index('raw_log_source_received').on(table.source, table.receivedAt),
  ],
);

/** One row per line that a format parsed, with the enriched fields. */
export const cleanLog = mysqlTable(
  'clean_log',
  {
    eventId: eventId('event_id').notNull(),
    source: varchar('source', { length: 255 }).notNull(),
    format: varchar('format', { length: 16 }).notNull(),
    /** UTC, converted with the line's own offset. */
    ts: datetime('ts', { mode: 'date', fsp: 3 }).notNull(),
    /** The line's UTC offset in minutes, as written (`-0500` is -300). */
    utcOffsetMin: smallint('utc_offset_min').notNull(),
    // The calendar columns and the two sizes are derived by the database from `ts` and `bytes` on
    // read (VIRTUAL: never stored, never sent). They cannot disagree with what they derive from, and
    // each line stored costs less to encode, send and store (bench/RESULTS.md, virtual derived columns). The
    // expressions give the same on MySQL 8 as on MariaDB (ELT rather than the locale's DAYNAME,
    // MAKETIME of whole seconds rather than a CAST that MySQL rounds and MariaDB truncates).
    /** UTC, like `ts`. */
    year: smallint('year', { unsigned: true }).generatedAlwaysAs(sql`year(\`ts\`)`, { mode: 'virtual' }),
    month: tinyint('month', { unsigned: true }).generatedAlwaysAs(sql`month(\`ts\`)`, { mode: 'virtual' }),
    day: tinyint('day', { unsigned: true }).generatedAlwaysAs(sql`dayofmonth(\`ts\`)`, { mode: 'virtual' }),
    /** English name of the UTC day: `Sunday`… */
    dayOfWeek: varchar('day_of_week', { length: 9 }).generatedAlwaysAs(
      sql`elt(dayofweek(\`ts\`), 'Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday')`,
      { mode: 'virtual' },
    ),
    /** `HH:MM:SS`, UTC, the fraction of a second dropped. */
    time: time('time').generatedAlwaysAs(sql`maketime(hour(\`ts\`), minute(\`ts\`), second(\`ts\`))`, {
      mode: 'virtual',
    }),
    /**
     * The UTC hour of `ts`, counted in hours from year 0: the first column of the search-by-address
     * index. TO_SECONDS reads the DATETIME as written (no session time zone), is deterministic (so
     * allowed in an indexed generated column) and means the same on MySQL 8 as on MariaDB.
     */
    tsHour: int('ts_hour', { unsigned: true }).generatedAlwaysAs(sql`to_seconds(\`ts\`) div 3600`, {
      mode: 'virtual',
    }),
    ip: varchar('ip', { length: 45 }),
    forwardedFor: varchar('forwarded_for', { length: 1024 }),
    country: varchar('country', { length: 80 }),
    countryCode: varchar('country_code', { length: 2 }),
    city: varchar('city', { length: 128 }),
    session: varchar('session', { length: 128 }),
    user: varchar('user', { length: 255 }),
    isEmail: boolean('is_email').notNull(),
    emailDomain: varchar('email_domain', { length: 255 }),
    method: varchar('method', { length: 32 }),
    url: text('url'),
    scheme: varchar('scheme', { length: 16 }),
    host: varchar('host', { length: 255 }),
    port: smallint('port', { unsigned: true }),
    path: text('path'),
    query: text('query'),
    httpVersion: varchar('http_version', { length: 16 }),
    status: smallint('status', { unsigned: true }).notNull(),
    statusText: varchar('status_text', { length: 64 }),
    bytes: bigint('bytes', { mode: 'number', unsigned: true }).notNull(),
    /** `bytes` / 1024 and / 1024², as DOUBLE (the `e0` makes it a floating-point division). */
    sizeKb: double('size_kb').generatedAlwaysAs(sql`\`bytes\` / 1024e0`, { mode: 'virtual' }),
    sizeMb: double('size_mb').generatedAlwaysAs(sql`\`bytes\` / 1048576e0`, { mode: 'virtual' }),
    referrer: text('referrer'),
    referrerHost: varchar('referrer_host', { length: 255 }),
    userAgent: text('user_agent'),
    browser: varchar('browser', { length: 64 }),
    browserVersion: varchar('browser_version', { length: 32 }),
    os: varchar('os', { length: 64 }),
    /** desktop, mobile, tablet, smarttv, console, wearable, embedded, xr or bot. */
    device: varchar('device', { length: 16 }),
    /** Null when the line had no user agent or user-agent enrichment was off. */
    isBot: boolean('is_bot'),
    /** The geo database that placed `ip` (name and build date); null when none was asked. */
    geoDb: varchar('geo_db', { length: 64 }),
    requestTimeMs: double('request_time_ms'),
    /** Fields of the line that have no column of their own. */
    extra: json('extra').$type<Record<string, string>>(),
    /**
     * What was done to the line's values to store them, comma-separated; null when nothing was.
     * `dropped:<column>`: the line's value did not fit the column (a duration of 400 digits), so the
     * column is null. The parser's own codes come first: `unterminated:<field>` (the line was cut
     * inside that quoted field, whose start is kept), `missing:user_agent`, `missing:ident_user`.
     */
    damage: varchar('damage', { length: 255 }),
  },
  // Three indexes, each paid for on every line stored (its cost: bench/RESULTS.md). The two
  // time indexes cover the dashboard's traffic panels (series, summary, busiest hours: a range of time
  // is read from the index alone, never from the rows; see docs/dashboard.md), and, with the event id
  // right after the time, give the search its newest-first order and its keyset paging too. A status
  // filter reads the status from the same index as it walks back in time.
  (table) => {
    const traffic = [table.ts, table.eventId, table.status, table.bytes, table.isBot, table.ip] as const;
    return [
      // `ts` is the partition column (by its UTC day).
      primaryKey({ name: 'clean_log_event_id_ts', columns: [table.eventId, table.ts] }),
      index('clean_log_ts_traffic').on(...traffic),
      index('clean_log_source_traffic').on(table.source, ...traffic),
      // The dashboard's search by client address, newest first, one hour at a time. The hour leads so
      // that a live line's entry lands among the current hour's, not at a random leaf of the whole
      // day: with (ip, ts) the day's index outgrew the buffer pool and slowed ingest (issue 15). The
      // event id is named (InnoDB adds no bytes for it, it is in the primary key) because a
      // partitioned table does not order by the key's hidden primary-key suffix: without it, each
      // hour's ORDER BY ts, event_id is a filesort of all the address's lines of that hour.
      index('clean_log_hour_ip_ts').on(table.tsHour, table.ip, table.ts, table.eventId),
    ];
  },
);

/** One row per line that no format accepted, with the reason. */
export const rejectedLog = mysqlTable(
  'rejected_log',
  {
    eventId: eventId('event_id').notNull(),
    source: varchar('source', { length: 255 }).notNull(),
    receivedAt: datetime('received_at', { mode: 'date', fsp: 3 }).notNull(),
    /** The partition, as in raw_log: the UTC day of the line's own time when it can be read. */
    day: date('day', { mode: 'string' }).notNull(),
    line: longblob('line').notNull(),
    reason: varchar('reason', { length: 512 }).notNull(),
    lineText: text('line_text').generatedAlwaysAs(sql`convert(\`line\` using utf8mb4)`, { mode: 'virtual' }),
  },
  (table) => [
    primaryKey({ name: 'rejected_log_event_id_day', columns: [table.eventId, table.day] }),
    index('rejected_log_source_received').on(table.source, table.receivedAt),
  ],
);

/**
 * How far back lines are kept, as the last `prune` set it (one row, id 1). The writers skip a line
 * older than `linesFrom` (see horizon.ts): it would refill a day that was dropped.
 */
export const retentionHorizon = mysqlTable('retention_horizon', {
  id: tinyint('id', { unsigned: true }).primaryKey(),
  /** The first UTC day whose lines are kept. */
  linesFrom: date('lines_from', { mode: 'string' }).notNull(),
  /** Untimed lines received before this were deleted. */
  receivedFrom: datetime('received_from', { mode: 'date', fsp: 3 }).notNull(),
  /** The first UTC day whose rollups are kept. */
  rollupsFrom: date('rollups_from', { mode: 'string' }).notNull(),
  prunedAt: datetime('pruned_at', { mode: 'date', fsp: 3 }).notNull(),
});

/*
 * Rollups: what the dashboard and `stats` read instead of the lines, kept up to date by the clean
 * consumer in the same transaction as the lines (src/store/rollup/). Their cost grows with time
 * buckets and sources, not with lines, and they outlive the lines that retention removes.
 */

/**
 * A source name in a rollup key, compared byte for byte: the rollups are summed in code by exact
 * name, and two names that a case-insensitive collation thinks equal must not share a row.
 */
const exactSource = customType<{ data: string }>({
  dataType: () => 'varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
});

/** The traffic numbers of one source over one bucket of time: the same columns per minute and per hour. */
const trafficRollupColumns = () => ({
  source: exactSource('source').notNull(),
  /** Start of the bucket, UTC. */
  bucket: datetime('bucket', { mode: 'date' }).notNull(),
  requests: bigint('requests', { mode: 'number', unsigned: true }).notNull(),
  bytes: bigint('bytes', { mode: 'number', unsigned: true }).notNull(),
  s2xx: bigint('s2xx', { mode: 'number', unsigned: true }).notNull(),
  s3xx: bigint('s3xx', { mode: 'number', unsigned: true }).notNull(),
  s4xx: bigint('s4xx', { mode: 'number', unsigned: true }).notNull(),
  s5xx: bigint('s5xx', { mode: 'number', unsigned: true }).notNull(),
  /** Requests whose user agent is a bot's, and a person's; the rest had none or was not looked at. */
  bots: bigint('bots', { mode: 'number', unsigned: true }).notNull(),
  humans: bigint('humans', { mode: 'number', unsigned: true }).notNull(),
  /** The first and last request time in the bucket. */
  firstTs: datetime('first_ts', { mode: 'date', fsp: 3 }).notNull(),
  lastTs: datetime('last_ts', { mode: 'date', fsp: 3 }).notNull(),
  /** Distinct client addresses: a HyperLogLog sketch (src/store/rollup/hll.ts), merged across buckets. */
  visitors: bytes('blob')('visitors').notNull(),
});

/** Per source and minute: series and totals over ranges of up to a few days. */
export const rollupMinute = mysqlTable('rollup_minute', trafficRollupColumns(), (table) => [
  primaryKey({ columns: [table.source, table.bucket] }),
  index('rollup_minute_bucket').on(table.bucket),
]);

/** Per source and hour: series and totals over long ranges, and the busiest hours. */
export const rollupHour = mysqlTable('rollup_hour', trafficRollupColumns(), (table) => [
  primaryKey({ columns: [table.source, table.bucket] }),
  index('rollup_hour_bucket').on(table.bucket),
]);

/** Per source and UTC day: totals and visitors over ranges of weeks and months. */
export const rollupDay = mysqlTable('rollup_day', trafficRollupColumns(), (table) => [
  primaryKey({ columns: [table.source, table.bucket] }),
  index('rollup_day_bucket').on(table.bucket),
]);

/** Requests and bytes per value of a top panel's column, per source and bucket (hour or day). */
const topRollupColumns = () => ({
  /** The panel: `path`, `notFound`, `host`, `country`, `browser`, `os`, `device`, `referrer`, `status`, `user`. */
  dimension: varchar('dimension', { length: 16 }).notNull(),
  source: exactSource('source').notNull(),
  /** Start of the bucket, UTC. */
  bucket: datetime('bucket', { mode: 'date' }).notNull(),
  /** MD5 of the value's bytes (all zeros for null): values compare byte for byte, whatever the collation. */
  valueKey: bytes('binary(16)')('value_key').notNull(),
  /** The value, paths cut to 255 characters as the panel shows them. */
  value: varchar('value', { length: 255 }),
  requests: bigint('requests', { mode: 'number', unsigned: true }).notNull(),
  bytes: bigint('bytes', { mode: 'number', unsigned: true }).notNull(),
});

/** The top values per hour: the edges of a range, and ranges of a few days. */
export const rollupTop = mysqlTable('rollup_top', topRollupColumns(), (table) => [
  primaryKey({ columns: [table.dimension, table.source, table.bucket, table.valueKey] }),
  index('rollup_top_bucket').on(table.dimension, table.bucket),
]);

/** The top values per UTC day: the whole days of a range (30 days read 30 rows per value, not 720). */
export const rollupTopDay = mysqlTable('rollup_top_day', topRollupColumns(), (table) => [
  primaryKey({ columns: [table.dimension, table.source, table.bucket, table.valueKey] }),
  index('rollup_top_day_bucket').on(table.dimension, table.bucket),
]);

/**
 * What the rollups have counted, per stream: byte ranges of the stream whose lines are in the
 * rollups. A line is counted when its offset is in none of them, whatever happened to its rows since
 * (redelivered, re-ingested, pruned): see src/store/rollup/counted-ranges.ts.
 */
export const rollupCounted = mysqlTable('rollup_counted', {
  streamId: bytes('binary(8)')('stream_id').primaryKey(),
  source: exactSource('source').notNull(),
  /** [start, end) pairs of big-endian u64 offsets, sorted, apart from each other. */
  ranges: bytes('mediumblob')('ranges').notNull(),
  updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull(),
});

/** Where the rollups' upkeep stands (how far the top values are compacted: top-compaction.ts). */
export const rollupState = mysqlTable('rollup_state', {
  name: varchar('name', { length: 64 }).primaryKey(),
  value: datetime('value', { mode: 'date' }).notNull(),
});

export type RawRow = typeof rawLog.$inferInsert;
export type CleanRow = typeof cleanLog.$inferInsert;
export type RejectedRow = typeof rejectedLog.$inferInsert;
