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
import type { TableInput, TableWriter } from './bulk-insert.js';
import type { RowBatch } from './batch-writer.js';
import { loadDataInto } from './load-data.js';
import { cleanLog, rawLog, rejectedLog } from './schema.js';
import type { CleanRow, RawRow, RejectedRow } from './schema.js';

/** A parsed line goes to `clean_log`, an unparsed one to `rejected_log`: one or the other, never both. */
export type CleanOrRejectedRow =
  | { readonly table: 'clean_log'; readonly row: CleanRow }
  | { readonly table: 'rejected_log'; readonly row: RejectedRow };

/**
 * The consumers' port to the tables. `begin…` starts the rows of one transaction, added a message at
 * a time; `raw` and `cleanOrRejected` write rows in a transaction of their own. Each returns how many
 * rows were new.
 */
export interface RowWriters {
  readonly method: WriteMethod;
  beginRaw(): RowBatch<RawRow>;
  beginCleanOrRejected(): RowBatch<CleanOrRejectedRow>;
  raw(rows: readonly RawRow[]): Promise<number>;
  cleanOrRejected(rows: readonly CleanOrRejectedRow[]): Promise<number>;
}

/** What a transaction does with each table's input. */
type Sendable = Pick<TableInput<unknown>, 'send' | 'release'>;

interface TableWriters {
  readonly raw: TableWriter<RawRow>;
  readonly clean: TableWriter<CleanRow>;
  readonly rejected: TableWriter<RejectedRow>;
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
  /** A batch whose rows go to the inputs `into` picks, all sent in one transaction. */
  const batchOf = <Row>(
    inputs: readonly Sendable[],
    into: (rows: readonly Row[]) => void,
  ): RowBatch<Row> => ({
    add: into,
    write: () =>
      inTransaction(db, async (connection) => {
        let inserted = 0;
        for (const input of inputs) inserted += await input.send(connection);
        return inserted;
      }),
    release: () => inputs.forEach((input) => input.release()),
  });
  const beginRaw = (): RowBatch<RawRow> => {
    const input = tables.raw();
    return batchOf<RawRow>([input], (rows) => input.add(rows));
  };
  const beginCleanOrRejected = (): RowBatch<CleanOrRejectedRow> => {
    const clean = tables.clean();
    // Started at the first rejected row only: most batches have none.
    let rejected: TableInput<RejectedRow> | undefined;
    const inputs: Sendable[] = [clean];
    return batchOf<CleanOrRejectedRow>(inputs, (rows) => {
      const cleanRows: CleanRow[] = [];
      for (const entry of rows) {
        if (entry.table === 'clean_log') cleanRows.push(entry.row);
        else {
          if (rejected === undefined) inputs.push((rejected = tables.rejected()));
          rejected.add([entry.row]);
        }
      }
      clean.add(cleanRows);
    });
  };
  const writeAlone = async <Row>(begin: () => RowBatch<Row>, rows: readonly Row[]): Promise<number> => {
    if (rows.length === 0) return 0;
    const batch = begin();
    batch.add(rows);
    try {
      return await batch.write();
    } finally {
      batch.release();
    }
  };
  return {
    method,
    beginRaw,
    beginCleanOrRejected,
    raw: (rows) => writeAlone(beginRaw, rows),
    cleanOrRejected: (rows) => writeAlone(beginCleanOrRejected, rows),
  };
}
