/**
 * The fast hot-path writer: `LOAD DATA LOCAL INFILE` of rows encoded in memory as tab-separated
 * text, streamed to the server on the same connection (no file is written). Measured on this
 * project's machine it costs the database a third less CPU than the equivalent multi-row INSERT and
 * the consumer far less than building the INSERT text (see bench/RESULTS.md).
 *
 * It is as idempotent as the INSERT: with LOCAL the server skips a row whose primary key exists and
 * counts it as "Skipped" with a duplicate-key warning; any other warning refuses the batch
 * (see warnings.ts).
 *
 * It needs `local_infile` on the server (MariaDB's default; MySQL 8 must be started with
 * `--local-infile=1`): `openStore` checks and falls back to INSERT otherwise.
 */
import { Readable } from 'node:stream';
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { Column } from 'drizzle-orm';
import type { MySqlTable } from 'drizzle-orm/mysql-core';
import type { PoolConnection, ResultSetHeader } from 'mysql2/promise';
import type { BulkInsert } from './bulk-insert.js';
import { refuseUnlessOnlyDuplicates } from './warnings.js';

/** The characters LOAD DATA's default format gives a meaning to inside a field, and their escapes. */
const SPECIAL_TEXT = /[\\\t\n\0]/;
const SPECIAL_TEXT_ALL = /[\\\t\n\0]/g;
const TEXT_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\0': '\\0',
};
const NULL_FIELD = '\\N';

/**
 * A value as a LOAD DATA field. Bytes travel as hex (the statement UNHEXes them): hex needs no
 * escaping, so a whole batch is one string, encoded once, however binary its lines are.
 */
export function encodeField(value: unknown): string {
  if (value === null || value === undefined) return NULL_FIELD;
  if (typeof value === 'string') return escapeText(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (Buffer.isBuffer(value)) return value.toString('hex');
  // DATETIME columns hold UTC (the pool's timezone is 'Z' for the INSERT path too).
  if (value instanceof Date) {
    const iso = value.toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  }
  return escapeText(JSON.stringify(value));
}

function escapeText(text: string): string {
  return SPECIAL_TEXT.test(text)
    ? text.replace(SPECIAL_TEXT_ALL, (char) => TEXT_ESCAPES[char] ?? char)
    : text;
}

/** Rows as one LOAD DATA input: fields separated by tabs, rows ended by newlines, NULL as `\N`. */
export function encodeRows(keys: readonly string[], rows: readonly object[]): Buffer {
  const lines: string[] = new Array<string>(rows.length);
  const fields: string[] = new Array<string>(keys.length);
  for (let at = 0; at < rows.length; at++) {
    const record = rows[at] as Record<string, unknown>;
    for (let index = 0; index < keys.length; index++)
      fields[index] = encodeField(record[keys[index] as string]);
    lines[at] = fields.join('\t');
  }
  lines.push('');
  return Buffer.from(lines.join('\n'), 'utf8');
}

/** "Records: 2000  Deleted: 0  Skipped: 3  Warnings: 3" → its numbers. */
function loadInfoOf(info: string): { records: number; skipped: number; warnings: number } {
  const number = (name: string): number => Number(new RegExp(`${name}: (\\d+)`).exec(info)?.[1] ?? NaN);
  return { records: number('Records'), skipped: number('Skipped'), warnings: number('Warnings') };
}

/** A LOAD DATA bulk insert for `table`; rows are the table's `$inferInsert` objects. */
export function loadDataInto<Row extends object>(table: MySqlTable): BulkInsert<Row> {
  const columns = Object.entries(getTableColumns(table) as Record<string, Column>).filter(
    ([, column]) => column.generated === undefined,
  );
  const keys = columns.map(([key]) => key);
  const name = getTableName(table);
  // Byte columns are read into variables and UNHEXed; the input's text is UTF-8 already, so the
  // server is told to take it as it is (binary) rather than check and convert it.
  const isBytes = (column: Column): boolean => /binary|blob/i.test(column.getSQLType());
  const targets = columns.map(([, column]) =>
    isBytes(column) ? `@\`${column.name}\`` : `\`${column.name}\``,
  );
  const unhex = columns
    .filter(([, column]) => isBytes(column))
    .map(([, column]) => `\`${column.name}\` = UNHEX(@\`${column.name}\`)`);
  const statement =
    `LOAD DATA LOCAL INFILE 'rows' INTO TABLE \`${name}\` CHARACTER SET binary (${targets.join(', ')})` +
    (unhex.length > 0 ? ` SET ${unhex.join(', ')}` : '');

  return async (connection: PoolConnection, rows: readonly Row[]) => {
    if (rows.length === 0) return 0;
    const input = encodeRows(keys, rows);
    const [result] = await connection.query<ResultSetHeader>({
      sql: statement,
      // Whatever file name the server asks for, it gets these rows: a hostile server cannot make
      // LOCAL INFILE read a file of the consumer's machine.
      infileStreamFactory: () => Readable.from([input]),
    });
    const { records, skipped, warnings } = loadInfoOf(result.info);
    await refuseUnlessOnlyDuplicates(connection, name, {
      sent: rows.length,
      read: records,
      skipped,
      warnings,
    });
    return result.affectedRows;
  };
}
