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
import { tableCheckOf } from './table-check.js';
import { fitEscapedLine } from './load-data-input.js';
import { isRowRefusal } from './transient.js';
import { isCleanRowBefore, isDayRowBefore, skipLinesBeforeHorizon, watchHorizon } from './horizon.js';
import type { CleanRow, RawRow, RejectedRow } from './schema.js';
import { countingUnitsOf } from './rollup/counting-units.js';
import { countIntoRollups } from './rollup/rollup-writes.js';
import { TextTable } from './rollup/tally.js';
import type { CountingUnit } from './rollup/tally.js';

/**
 * A parsed line goes to `clean_log`, an unparsed one to `rejected_log`: one or the other, never both.
 * A clean row keeps its line's bytes (a view, not a copy) and when it was read, so that a row the
 * database refuses can be rejected with the database's reason instead (line-store.ts).
 */
export type CleanOrRejectedRow =
  | {
      readonly table: 'clean_log';
      readonly row: CleanRow;
      readonly line: Buffer;
      readonly receivedAt: Date;
    }
  | { readonly table: 'rejected_log'; readonly row: RejectedRow };

/**
 * A row's other fields, in bytes, at most: what a row may take of max_allowed_packet besides its
 * line (a clean row's texts are clipped to their columns, about 50 kB at most with their escapes).
 */
const ROW_BYTES_BESIDES_LINE = 128 * 1024;

/**
 * The tables as the batch writers see them (see line-store.ts): `begin…` starts the rows of one
 * transaction, added a message at a time.
 */
export interface RowWriters {
  readonly method: WriteMethod;
  /**
   * The line as a row can hold it on this server: itself, or its longest start that fits the
   * server's max_allowed_packet (a longer row would be refused, and the connection closed).
   */
  readonly fitLine: (line: Buffer) => Buffer;
  /** Whether the tables are as lograbbit writes them: null, or what differs (see table-check.ts). */
  checkTables(): Promise<string | null>;
  /** Resolves once the retention horizon was read (or could not be): rows added after it respect it. */
  readonly ready: Promise<void>;
  beginRaw(): RowBatch<RawRow>;
  beginCleanOrRejected(): RowBatch<CleanOrRejectedRow>;
}

/** What a transaction does with each table's input. */
type Sendable = Pick<TableInput<unknown>, 'send' | 'release'>;

interface TableWriters {
  readonly raw: TableWriter<RawRow>;
  readonly clean: TableWriter<CleanRow>;
  readonly rejected: TableWriter<RejectedRow>;
}

/** Each table's writer for `method`; an INSERT statement is kept under `maxStatementBytes`. */
function tableWritersOf(method: WriteMethod, maxStatementBytes: number): TableWriters {
  if (method === 'load-data') {
    return {
      raw: loadDataInto<RawRow>(rawLog),
      clean: loadDataInto<CleanRow>(cleanLog),
      rejected: loadDataInto<RejectedRow>(rejectedLog),
    };
  }
  return {
    raw: bulkInsertInto<RawRow>(rawLog, maxStatementBytes),
    clean: bulkInsertInto<CleanRow>(cleanLog, maxStatementBytes),
    rejected: bulkInsertInto<RejectedRow>(rejectedLog, maxStatementBytes),
  };
}

/**
 * Runs `work` in a transaction on a connection of the pool; rolls back on any error. After an error
 * that is not about a row the connection is closed, not put back: a session keeps the privileges it
 * had at its start (MariaDB applies database-level grants at the next USE), so a retry after a GRANT
 * needs a new one.
 */
async function inTransaction<T>(db: Database, work: (connection: PoolConnection) => Promise<T>): Promise<T> {
  const connection = await db.$client.getConnection();
  let reusable = true;
  try {
    await connection.beginTransaction();
    const result = await work(connection);
    await connection.commit();
    return result;
  } catch (error) {
    // A lost connection cannot roll back; the server does it when the session ends.
    await connection.rollback().catch(() => undefined);
    reusable = isRowRefusal(error);
    throw error;
  } finally {
    if (reusable) connection.release();
    else connection.destroy();
  }
}

export interface RowWritersOptions {
  /** The server's `@@max_allowed_packet` (16 MiB, MariaDB's default, when not given). */
  readonly maxAllowedPacket?: number;
  /** How often the retention horizon is read again, in ms (horizon.ts; 30 s when not given). */
  readonly horizonRefreshMs?: number;
}

/** The writers of `db` that use `method`. */
export function createRowWriters(
  db: Database,
  method: WriteMethod,
  options: RowWritersOptions = {},
): RowWriters {
  const maxAllowedPacket = options.maxAllowedPacket ?? 16 * 1024 * 1024;
  const tables = tableWritersOf(method, maxAllowedPacket - 1024);
  const horizon = watchHorizon(db.$client, options.horizonRefreshMs);
  const room = maxAllowedPacket - ROW_BYTES_BESIDES_LINE;
  // LOAD DATA escapes 4 byte values with a backslash each; INSERT sends bytes as hex, two a byte.
  const fitLine =
    method === 'load-data'
      ? (line: Buffer): Buffer => fitEscapedLine(line, room)
      : (line: Buffer): Buffer => (line.length * 2 <= room ? line : line.subarray(0, Math.floor(room / 2)));
  /**
   * A batch whose rows go to the inputs `into` picks, all sent in one transaction; `then` does the
   * transaction's last work, after the rows are sent (the rollups of the clean lines).
   */
  const batchOf = <Row>(
    inputs: readonly Sendable[],
    into: (rows: readonly Row[]) => void,
    then?: (connection: PoolConnection) => Promise<unknown>,
  ): RowBatch<Row> => ({
    add: into,
    write: () =>
      inTransaction(db, async (connection) => {
        let inserted = 0;
        for (const input of inputs) inserted += await input.send(connection);
        await then?.(connection);
        return inserted;
      }),
    release: () => inputs.forEach((input) => input.release()),
  });
  const beginRaw = (): RowBatch<RawRow> => {
    const input = tables.raw();
    return batchOf<RawRow>([input], (rows) =>
      input.add(skipLinesBeforeHorizon(rows, horizon.current(), isDayRowBefore)),
    );
  };
  const beginCleanOrRejected = (): RowBatch<CleanOrRejectedRow> => {
    const clean = tables.clean();
    // Started at the first rejected row only: most batches have none.
    let rejected: TableInput<RejectedRow> | undefined;
    const inputs: Sendable[] = [clean];
    // What the rollups need of the rows (a few fields each), kept until the transaction counts them.
    // They count every line, those before the retention horizon too (not stored, still counted).
    const counting: CountingUnit[] = [];
    const texts = new TextTable();
    return batchOf<CleanOrRejectedRow>(
      inputs,
      (rows) => {
        // Lines older than the retention horizon are not sent (horizon.ts).
        const lineHorizon = horizon.current();
        const cleanRows: CleanRow[] = [];
        for (const entry of rows) {
          if (entry.table === 'clean_log') cleanRows.push(entry.row);
          else if (lineHorizon === null || !isDayRowBefore(entry.row, lineHorizon)) {
            if (rejected === undefined) inputs.push((rejected = tables.rejected()));
            rejected.add([entry.row]);
          }
        }
        clean.add(skipLinesBeforeHorizon(cleanRows, lineHorizon, isCleanRowBefore));
        for (const unit of countingUnitsOf(rows, texts)) counting.push(unit);
      },
      (connection) => countIntoRollups(connection, counting),
    );
  };
  return {
    method,
    fitLine,
    checkTables: tableCheckOf(db.$client, [rawLog, cleanLog, rejectedLog]),
    ready: horizon.refresh(),
    beginRaw,
    beginCleanOrRejected,
  };
}
