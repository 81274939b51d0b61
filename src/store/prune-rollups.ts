/**
 * The rollups' part of `prune`: the minute, hour, day and top-value buckets that start before the
 * `--keep-rollups` cutoff. Deleted in chunks (a day of one source is a few thousand rows at most),
 * so no statement holds locks for long. `rollup_counted` stays: it is what keeps a file read again
 * from being counted again, and it is one small row per stream.
 */
import { sql } from './drizzle.js';
import type { Database } from './database.js';

const ROWS_PER_DELETE = 10_000;

/** Removes the rollup buckets that start before `cutoff`; returns how many rows went. */
export async function pruneRollups(db: Database, cutoff: Date): Promise<number> {
  let removed = 0;
  for (const table of ['rollup_minute', 'rollup_hour', 'rollup_day', 'rollup_top', 'rollup_top_day']) {
    for (;;) {
      const [result] = (await db.execute(
        sql`DELETE FROM ${sql.raw(table)} WHERE bucket < ${cutoff} LIMIT ${ROWS_PER_DELETE}`,
      )) as unknown as [{ affectedRows: number }];
      removed += result.affectedRows;
      if (result.affectedRows < ROWS_PER_DELETE) break;
    }
  }
  return removed;
}
