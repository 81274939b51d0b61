/**
 * Idempotent multi-row inserts, one transaction each. A row whose event id is already stored is
 * left as it is (`ON DUPLICATE KEY UPDATE event_id = event_id`): a redelivered message or a
 * re-ingested file adds nothing. Values reach SQL only escaped by the driver.
 */
import type { PoolConnection } from 'mysql2/promise';
import type { Database } from './database.js';
import { bulkInsertInto } from './bulk-insert.js';
import { cleanLog, rawLog, rejectedLog } from './schema.js';
import type { CleanRow, RawRow, RejectedRow } from './schema.js';

/** A parsed line goes to `clean_log`, an unparsed one to `rejected_log`: one or the other, never both. */
export type CleanOrRejectedRow =
  | { readonly table: 'clean_log'; readonly row: CleanRow }
  | { readonly table: 'rejected_log'; readonly row: RejectedRow };

const insertRaw = bulkInsertInto<RawRow>(rawLog);
const insertClean = bulkInsertInto<CleanRow>(cleanLog);
const insertRejected = bulkInsertInto<RejectedRow>(rejectedLog);

/** Runs `work` in a transaction on a connection of the pool; rolls back on any error. */
async function inTransaction<T>(db: Database, work: (connection: PoolConnection) => Promise<T>): Promise<T> {
  const connection = await db.$client.getConnection();
  try {
    await connection.beginTransaction();
    const result = await work(connection);
    await connection.commit();
    return result;
  } catch (error) {
    // A lost connection cannot roll back; the server does it when the session ends.
    await connection.rollback().catch(() => undefined);
    throw error;
  } finally {
    connection.release();
  }
}

/** Inserts raw rows in one transaction; returns how many were new. */
export function insertRawRows(db: Database, rows: readonly RawRow[]): Promise<number> {
  if (rows.length === 0) return Promise.resolve(0);
  return inTransaction(db, (connection) => insertRaw(connection, rows));
}

/** Inserts clean and rejected rows in one transaction; returns how many were new. */
export function insertCleanOrRejectedRows(
  db: Database,
  rows: readonly CleanOrRejectedRow[],
): Promise<number> {
  const clean: CleanRow[] = [];
  const rejected: RejectedRow[] = [];
  for (const entry of rows) {
    if (entry.table === 'clean_log') clean.push(entry.row);
    else rejected.push(entry.row);
  }
  return inTransaction(
    db,
    async (connection) =>
      (await insertClean(connection, clean)) + (await insertRejected(connection, rejected)),
  );
}
