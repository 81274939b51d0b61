/**
 * The rollups' part of `prune`. A hook, for now: the rollup tables are being built apart (issue 15,
 * part 1), and fill this in. It is handed the cutoff of `--keep-rollups`.
 */
import type { Database } from './database.js';

/** Removes the rollup buckets that start before `cutoff`; returns how many rows went. */
export function pruneRollups(db: Database, cutoff: Date): Promise<number> {
  void db;
  void cutoff;
  return Promise.resolve(0);
}
