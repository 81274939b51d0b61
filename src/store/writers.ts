/**
 * Idempotent batched writes, one transaction each: `LOAD DATA LOCAL INFILE` where the server allows
 * it, multi-row `INSERT IGNORE` elsewhere. Either way a row
 * whose event id is already stored is left as it is: a redelivered message or a re-ingested file
 * adds nothing. Values never reach SQL text: the INSERT's are escaped by the driver, LOAD DATA's
 * travel as data.
 */
import type { PoolConnection } from 'mysql2/promise';
import type { Database, WriteMethod } from './database.js';
import { bulkInsertInto } from './bulk-insert.js';
import type { BulkInsert } from './bulk-insert.js';
import { loadDataInto } from './load-data.js';
import { cleanLog, rawLog, rejectedLog } from './schema.js';
import type { CleanRow, RawRow, RejectedRow } from './schema.js';

/** A parsed line goes to `clean_log`, an unparsed one to `rejected_log`: one or the other, never both. */
export type CleanOrRejectedRow =
  | { readonly table: 'clean_log'; readonly row: CleanRow }
  | { readonly table: 'rejected_log'; readonly row: RejectedRow };

/** The consumers' port to the tables: each call is one transaction, and returns how many rows were new. */
export interface RowWriters {
  readonly method: WriteMethod;
  raw(rows: readonly RawRow[]): Promise<number>;
  cleanOrRejected(rows: readonly CleanOrRejectedRow[]): Promise<number>;
}

interface TableWriters {
  readonly raw: BulkInsert<RawRow>;
  readonly clean: BulkInsert<CleanRow>;
  readonly rejected: BulkInsert<RejectedRow>;
}

const WRITERS: Readonly<Record<WriteMethod, TableWriters>> = {
  insert: {
    raw: bulkInsertInto<RawRow>(rawLog),
    clean: bulkInsertInto<CleanRow>(cleanLog),
    rejected: bulkInsertInto<RejectedRow>(rejectedLog),
  },
  'load-data': {
    raw: loadDataInto<RawRow>(rawLog),
    clean: loadDataInto<CleanRow>(cleanLog),
    rejected: loadDataInto<RejectedRow>(rejectedLog),
  },
};

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

/** The writers of `db` that use `method`. */
export function createRowWriters(db: Database, method: WriteMethod): RowWriters {
  const tables = WRITERS[method];
  return {
    method,
    raw(rows) {
      if (rows.length === 0) return Promise.resolve(0);
      return inTransaction(db, (connection) => tables.raw(connection, rows));
    },
    cleanOrRejected(rows) {
      const clean: CleanRow[] = [];
      const rejected: RejectedRow[] = [];
      for (const entry of rows) {
        if (entry.table === 'clean_log') clean.push(entry.row);
        else rejected.push(entry.row);
      }
      if (rows.length === 0) return Promise.resolve(0);
      return inTransaction(
        db,
        async (connection) =>
          (await tables.clean(connection, clean)) + (await tables.rejected(connection, rejected)),
      );
    },
  };
}
