/**
 * Multi-row `INSERT IGNORE` for servers without LOAD DATA LOCAL, built from the
 * drizzle table definitions (column names, and each column's own conversion of values for the
 * driver) but without drizzle's query builder: building one statement of 2,000 rows × 40 columns
 * through the builder cost more CPU than everything else in the consumer together (a CPU profile:
 * bench/RESULTS.md, "Figures moved out of code comments"). mysql2 escapes every
 * value; nothing is concatenated into the SQL but column names from the schema.
 *
 * IGNORE, not `ON DUPLICATE KEY UPDATE event_id = event_id`: that no-op update makes MariaDB compute
 * the generated `line_text` of the stored row, which fails in strict mode when the line is not
 * UTF-8, so a redelivered message holding such a line was refused. IGNORE skips duplicates with a
 * warning each, and every other warning still refuses the batch (see warnings.ts).
 */
import { getTableColumns, getTableName } from './drizzle.js';
import type { Column } from 'drizzle-orm';
import type { MySqlTable } from 'drizzle-orm/mysql-core';
import type { PoolConnection, ResultSetHeader } from 'mysql2/promise';
import { refuseUnlessOnlyDuplicates } from './warnings.js';

/** The rows of one table for one transaction, gathered a message at a time. */
export interface TableInput<Row> {
  add(rows: readonly Row[]): void;
  /**
   * Writes them on `connection`, inside the caller's transaction; returns how many were new. It can
   * be called again, on another connection, after a failure.
   */
  send(connection: PoolConnection): Promise<number>;
  /** Done with it, written or given up. */
  release(): void;
}

/** Starts an empty input for one transaction. */
export type TableWriter<Row> = () => TableInput<Row>;

/**
 * A bulk insert for `table`; rows are the table's `$inferInsert` objects. Rows are sent in as many
 * statements as keep each under `maxStatementBytes` (the server's max_allowed_packet).
 */
export function bulkInsertInto<Row extends object>(
  table: MySqlTable,
  maxStatementBytes: number,
): TableWriter<Row> {
  const insert = insertInto<Row>(table, maxStatementBytes);
  return () => {
    let rows: Row[] = [];
    return {
      add(more) {
        for (const row of more) rows.push(row);
      },
      send: (connection) => insert(connection, rows),
      release: () => void (rows = []),
    };
  };
}

/**
 * A value's size in the statement, at most: bytes travel as hex, and a UTF-16 unit takes up to three
 * bytes of UTF-8, doubled where escaped.
 */
function sqlSizeOf(value: unknown): number {
  if (Buffer.isBuffer(value)) return 2 * value.length + 3;
  if (typeof value === 'string') return 6 * value.length + 2;
  return 32;
}

/** The INSERT statements of `rows`, sent on `connection`; resolves with how many were new. */
function insertInto<Row extends object>(
  table: MySqlTable,
  maxStatementBytes: number,
): (connection: PoolConnection, rows: readonly Row[]) => Promise<number> {
  const columns = Object.entries(getTableColumns(table) as Record<string, Column>).filter(
    ([, column]) => column.generated === undefined,
  );
  const keys = columns.map(([key]) => key);
  const definitions = columns.map(([, column]) => column);
  const name = getTableName(table);
  const statement =
    `INSERT IGNORE INTO \`${name}\` (${columns.map(([, column]) => `\`${column.name}\``).join(', ')}) ` +
    'VALUES ?';

  const send = async (connection: PoolConnection, values: unknown[][]): Promise<number> => {
    const [result] = await connection.query<ResultSetHeader>(statement, [values]);
    await refuseUnlessOnlyDuplicates(connection, name, {
      sent: values.length,
      read: values.length,
      skipped: values.length - result.affectedRows,
      warnings: result.warningStatus,
    });
    return result.affectedRows;
  };

  return async (connection, rows) => {
    let inserted = 0;
    let values: unknown[][] = [];
    let size = statement.length;
    for (const row of rows) {
      const record = row as Record<string, unknown>;
      let rowSize = 4;
      const rowValues = keys.map((key, index) => {
        const value = record[key];
        if (value === undefined || value === null) return null;
        const driverValue: unknown = (definitions[index] as Column).mapToDriverValue(value);
        rowSize += sqlSizeOf(driverValue);
        return driverValue;
      });
      if (values.length > 0 && size + rowSize > maxStatementBytes) {
        inserted += await send(connection, values);
        values = [];
        size = statement.length;
      }
      values.push(rowValues);
      size += rowSize;
    }
    if (values.length > 0) inserted += await send(connection, values);
    return inserted;
  };
}
