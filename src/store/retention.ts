/**
 * Retention: `prune` removes the lines older than a horizon (now - keep), in whole UTC days, from
 * the three line tables, and hands the rollups their own cutoff. It records the horizon first
 * (`retention_horizon`), so that the writers stop storing lines older than it (horizon.ts), then:
 * - drops the day partitions before it (partitions.ts): a cost per day, not per row;
 * - deletes the untimed lines received before it, in chunks (they have no day of their own);
 * - calls `pruneRollups` with the rollups' cutoff.
 * It also adds the partitions of the days ahead, as `setup` does.
 */
import type { Database } from './database.js';
import { utcDayOf } from './partition-days.js';
import { deleteUntimedBefore, dropDaysBefore, ensureDayPartitions } from './partitions.js';
import type { DaysDropped, PartitionsAdded } from './partitions.js';
import { pruneRollups } from './prune-rollups.js';

export interface PruneOptions {
  /** How long lines are kept, in ms. */
  readonly keepMs: number;
  /** How long rollups are kept, in ms. */
  readonly keepRollupsMs: number;
  /** Say what would be removed, and remove nothing. */
  readonly dryRun?: boolean;
  readonly now?: Date;
}

export interface PruneReport {
  readonly dryRun: boolean;
  /** Lines of earlier UTC days are gone (and no longer stored when they arrive). */
  readonly linesFrom: string;
  /** Untimed lines received before this are gone. */
  readonly receivedFrom: Date;
  /** Rollups of earlier days are gone. */
  readonly rollupsFrom: Date;
  readonly tables: ReadonlyArray<DaysDropped & { readonly untimedDeleted: number }>;
  readonly rollupRows: number;
  readonly partitionsAdded: readonly PartitionsAdded[];
}

/** The horizons of `options`: the lines' first day kept, and the instants before which rows go. */
export function horizonsOf(options: PruneOptions): {
  linesFrom: string;
  receivedFrom: Date;
  rollupsFrom: Date;
} {
  const now = (options.now ?? new Date()).getTime();
  const receivedFrom = new Date(now - options.keepMs);
  // Whole days: a day goes once all of it is older than the horizon.
  return {
    linesFrom: utcDayOf(receivedFrom),
    receivedFrom,
    rollupsFrom: new Date(now - options.keepRollupsMs),
  };
}

/** Prunes lines (and rollups) older than the horizons of `options`; see the module comment. */
export async function prune(db: Database, options: PruneOptions): Promise<PruneReport> {
  const pool = db.$client;
  const dryRun = options.dryRun === true;
  const { linesFrom, receivedFrom, rollupsFrom } = horizonsOf(options);
  const partitionsAdded = dryRun ? [] : await ensureDayPartitions(pool, options.now);
  if (!dryRun)
    await recordHorizon(db, linesFrom, receivedFrom, utcDayOf(rollupsFrom), options.now ?? new Date());
  const dropped = await dropDaysBefore(pool, linesFrom, { dryRun });
  const untimed = await deleteUntimedBefore(pool, receivedFrom, { dryRun });
  const rollupRows = dryRun ? 0 : await pruneRollups(db, rollupsFrom);
  return {
    dryRun,
    linesFrom,
    receivedFrom,
    rollupsFrom,
    tables: dropped.map((table) => ({
      ...table,
      untimedDeleted: untimed.find((each) => each.table === table.table)?.rows ?? 0,
    })),
    rollupRows,
    partitionsAdded,
  };
}

/**
 * Stores the horizon, never moving it back: a later prune with a longer `--keep` would let late
 * lines refill days that are already gone.
 */
async function recordHorizon(
  db: Database,
  linesFrom: string,
  receivedFrom: Date,
  rollupsFrom: string,
  now: Date,
): Promise<void> {
  const pool = db.$client;
  await pool.query(
    `INSERT IGNORE INTO retention_horizon (id, lines_from, received_from, rollups_from, pruned_at)
     VALUES (1, ?, ?, ?, ?)`,
    [linesFrom, receivedFrom, rollupsFrom, now],
  );
  await pool.query(
    `UPDATE retention_horizon SET lines_from = GREATEST(lines_from, ?),
       received_from = GREATEST(received_from, ?), rollups_from = GREATEST(rollups_from, ?), pruned_at = ?
     WHERE id = 1`,
    [linesFrom, receivedFrom, rollupsFrom, now],
  );
}
