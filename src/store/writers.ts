/**
 * Idempotent multi-row inserts, one transaction each. A row whose event id is already stored is
 * left as it is (`ON DUPLICATE KEY UPDATE event_id = event_id`): a redelivered message or a
 * re-ingested file adds nothing. Values reach SQL only as bound parameters.
 */
import { sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { cleanLog, rawLog, rejectedLog } from './schema.js';
import type { CleanRow, RawRow, RejectedRow } from './schema.js';

/** A parsed line goes to `clean_log`, an unparsed one to `rejected_log`: one or the other, never both. */
export type CleanOrRejectedRow =
  | { readonly table: 'clean_log'; readonly row: CleanRow }
  | { readonly table: 'rejected_log'; readonly row: RejectedRow };

interface InsertResult {
  readonly affectedRows: number;
}

/** Inserts raw rows in one transaction; returns how many were new. */
export async function insertRawRows(db: Database, rows: readonly RawRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const [result] = await db
    .insert(rawLog)
    .values([...rows])
    .onDuplicateKeyUpdate({ set: { eventId: sql`${rawLog.eventId}` } });
  return (result as InsertResult).affectedRows;
}

/** Inserts clean and rejected rows in one transaction; returns how many were new. */
export async function insertCleanOrRejectedRows(
  db: Database,
  rows: readonly CleanOrRejectedRow[],
): Promise<number> {
  const clean: CleanRow[] = [];
  const rejected: RejectedRow[] = [];
  for (const entry of rows) {
    if (entry.table === 'clean_log') clean.push(entry.row);
    else rejected.push(entry.row);
  }
  return db.transaction(async (tx) => {
    let inserted = 0;
    if (clean.length > 0) {
      const [result] = await tx
        .insert(cleanLog)
        .values(clean)
        .onDuplicateKeyUpdate({ set: { eventId: sql`${cleanLog.eventId}` } });
      inserted += (result as InsertResult).affectedRows;
    }
    if (rejected.length > 0) {
      const [result] = await tx
        .insert(rejectedLog)
        .values(rejected)
        .onDuplicateKeyUpdate({ set: { eventId: sql`${rejectedLog.eventId}` } });
      inserted += (result as InsertResult).affectedRows;
    }
    return inserted;
  });
}
