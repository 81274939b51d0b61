/** The database adapter: schema, migrations, idempotent batched writers and read queries. */
export { openStore, MIGRATIONS_FOLDER } from './database.js';
export type { Database, DatabaseEndpoint, Store, OpenStoreOptions, WriteMethod } from './database.js';
export type { DatabaseClient, NodeChange } from './client.js';
export { readLagOf } from './read-lag.js';
export type { ReadLag } from './read-lag.js';
export { rawLog, cleanLog, rejectedLog } from './schema.js';
export type { RawRow, CleanRow, RejectedRow } from './schema.js';
// The consumers' port: a message's rows stored when their transaction forms.
export { openLineStore } from './line-store.js';
export type { LineStore, LineStoreOptions, LinesStored, LineTable, StoredCounts } from './line-store.js';
export type { BatchWriterStats, RowBatch } from './batch-writer.js';
export { createRowWriters } from './writers.js';
export type { CleanOrRejectedRow, RowWriters, RowWritersOptions } from './writers.js';
export { rawRowOf, cleanRowOf, rejectedRowOf } from './rows.js';
export { countRowsInRanges, sampleRejected } from './queries.js';
export type { EventIdRange, RangeCounts, RejectedSample } from './queries.js';
// Aggregates for `lograbbit stats` and the dashboard: trafficSeries, topValues, searchRequests…
export * from './stats-queries.js';
export { isTransientDatabaseError, isRowRefusal, errorCodeOf } from './transient.js';
// Retention: day partitions, `prune`, the horizon the writers respect.
export { prune, horizonsOf } from './retention.js';
export type { PruneOptions, PruneReport } from './retention.js';
export { pruneRollups } from './prune-rollups.js';
export { ensureDayPartitions, readPartitions, LINE_TABLES, DAYS_AHEAD } from './partitions.js';
export type { PartitionsAdded, DaysDropped } from './partitions.js';
export { readHorizon } from './horizon.js';
export { UNTIMED_DAY, partitionDayOf, utcDayOf } from './partition-days.js';
export { compactTopValues, TOP_VALUES_KEPT } from './rollup/top-compaction.js';
export type { CompactionResult } from './rollup/top-compaction.js';
export { tableSizes, EXACT_BELOW_ROWS } from './table-sizes.js';
export type { TableSize, TableSizes } from './table-sizes.js';
