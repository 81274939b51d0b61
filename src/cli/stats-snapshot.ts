/**
 * The pipeline's state as `lograbbit stats` shows it, and the part of it the dashboard samples: queue
 * depths and table sizes (`readPipelineState`), then for `stats` the lines the rollups counted, how far
 * back lines and rollups go, the last minute and the last day's rejects by reason class. Every figure
 * is an index range, a rollup sum or InnoDB's estimate (said so): its cost does not grow with the tables.
 */
import type { BrokerConnection } from '../broker/index.js';
import {
  countRecent,
  countedLines,
  historySpan,
  missingRollupTables,
  rejectReasons,
  tableSizes,
  readLagOf,
} from '../store/index.js';
import type { Database, HistorySpan, ReadLag, Store, TableSizes } from '../store/index.js';
import { rejectReasonClassOf } from '../telemetry/index.js';
import type { QueueDepthReading } from '../telemetry/index.js';
import { readQueueDepths } from './telemetry-parts.js';

/** Distinct reject reasons read to build the classes (the rare ones beyond are left out). */
const REASONS_READ = 500;
/** The rejects by reason cover this long, back from now. */
const REJECTS_WINDOW_MS = 86_400_000;

type TableName = 'raw_log' | 'clean_log' | 'rejected_log';

export interface StatsSnapshot {
  readonly at: string;
  readonly broker: string;
  readonly database: string;
  /** How far behind its source the database read is (DB_READ_HOST: a replica, a Galera node); null for a primary. */
  readonly readLag: ReadLag | null;
  readonly queues: ReadonlyArray<QueueDepthReading & { readonly perSecond: number | null }>;
  /** Rows per table: exact while small, InnoDB's estimate (`exact: false`) above 100,000. */
  readonly tables: Readonly<Record<TableName, { rows: number; exact: boolean; perSecond: number | null }>>;
  /**
   * Parsed lines the rollups have counted, all time (lines pruned since included): exact; null on a
   * database migrated before the rollups (`setup` adds them).
   */
  readonly counted: { readonly lines: number | null; readonly perSecond: number | null };
  /** How far back the stored lines and the rollups go, and when the rollups last counted (ISO, UTC). */
  readonly history: {
    readonly linesFrom: string | null;
    readonly rollupsFrom: string | null;
    readonly rollupsUpdated: string | null;
  };
  readonly lastMinute: {
    readonly linesRead: number;
    readonly linesPerSecond: number;
    readonly rejected: number;
  };
  readonly rejects: ReadonlyArray<{
    readonly reason: string;
    readonly lines: number;
    readonly example: string;
  }>;
}

/** The queues and the tables at one moment: what both `stats` and the dashboard's sampler read. */
export interface PipelineState {
  readonly queues: QueueDepthReading[];
  /** Counted exactly while small, InnoDB's own row count past 100,000 rows (`exact: false`). */
  readonly sizes: TableSizes;
}

/**
 * Reads the depth of each reported queue and the size of each line table. A COUNT(*) every few
 * seconds of a table of months would be the heaviest query the database runs: a large table's size
 * is InnoDB's estimate instead.
 */
export async function readPipelineState(broker: BrokerConnection, store: Store): Promise<PipelineState> {
  const [queues, sizes] = await Promise.all([readQueueDepths(broker), tableSizes(store.db)]);
  return { queues, sizes };
}

/** What a snapshot reads, and the addresses it names. */
export interface StatsServices {
  readonly broker: BrokerConnection;
  readonly store: Store;
  readonly brokerAddress: string;
  readonly databaseAddress: string;
}

/** The state now; with the previous snapshot, the rates since it. */
export async function snapshotOf(
  services: StatsServices,
  previous: { readonly snapshot: StatsSnapshot; readonly t: number } | undefined,
  t: number,
): Promise<StatsSnapshot> {
  const { broker, store } = services;
  const [{ queues, sizes }, rollups, recent, reasons, readLag] = await Promise.all([
    readPipelineState(broker, store),
    rollupsOf(store.db),
    countRecent(store.db, new Date(t - 60_000)),
    rejectReasons(store.db, REASONS_READ, new Date(t - REJECTS_WINDOW_MS)),
    readLagOf(store.pool),
  ]);
  const seconds = previous ? (t - previous.t) / 1000 : 0;
  const rate = (now: number, before: number | undefined): number | null =>
    before === undefined || seconds <= 0 ? null : Math.round(((now - before) / seconds) * 10) / 10;
  const classes = new Map<string, { lines: number; example: string }>();
  for (const { reason, lines } of reasons) {
    const reasonClass = rejectReasonClassOf(reason);
    const entry = classes.get(reasonClass);
    if (entry) entry.lines += lines;
    else classes.set(reasonClass, { lines, example: reason });
  }
  const before = previous?.snapshot;
  // A rate from two estimates would be noise: only exact sizes get one.
  const tableOf = (
    size: { rows: number; exact: boolean },
    last: { rows: number; exact: boolean } | undefined,
  ): { rows: number; exact: boolean; perSecond: number | null } => ({
    ...size,
    perSecond: size.exact && last?.exact === true ? rate(size.rows, last.rows) : null,
  });
  return {
    at: new Date(t).toISOString(),
    broker: services.brokerAddress,
    database: services.databaseAddress,
    readLag,
    queues: queues.map((queue) => ({
      ...queue,
      perSecond: rate(queue.ready, before?.queues.find((entry) => entry.queue === queue.queue)?.ready),
    })),
    tables: {
      raw_log: tableOf(sizes.raw, before?.tables.raw_log),
      clean_log: tableOf(sizes.clean, before?.tables.clean_log),
      rejected_log: tableOf(sizes.rejected, before?.tables.rejected_log),
    },
    counted: {
      lines: rollups?.counted ?? null,
      perSecond:
        rollups === null || before?.counted.lines == null
          ? null
          : rate(rollups.counted, before.counted.lines),
    },
    history: historyOf(
      rollups?.history ?? { linesFromMs: null, rollupsFromMs: null, rollupsUpdatedMs: null },
    ),
    lastMinute: {
      linesRead: recent.raw,
      linesPerSecond: Math.round((recent.raw / 60) * 10) / 10,
      rejected: recent.rejected,
    },
    rejects: [...classes].map(([reason, entry]) => ({ reason, ...entry })).sort((a, b) => b.lines - a.lines),
  };
}

/** What the rollups counted and how far back they go; null on a database that has none yet. */
async function rollupsOf(db: Database): Promise<{ counted: number; history: HistorySpan } | null> {
  if ((await missingRollupTables(db)).length > 0) return null;
  const [counted, history] = await Promise.all([countedLines(db), historySpan(db)]);
  return { counted, history };
}

function historyOf(span: HistorySpan): StatsSnapshot['history'] {
  const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
  return {
    linesFrom: iso(span.linesFromMs),
    rollupsFrom: iso(span.rollupsFromMs),
    rollupsUpdated: iso(span.rollupsUpdatedMs),
  };
}
