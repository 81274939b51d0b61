/**
 * Is a table still as lograbbit writes it? Rows are made to fit the columns of the schema
 * (column-fit.ts), so when the server refuses one for a value, either that one value slipped
 * through or the table was changed under us (a column made smaller, dropped, made NOT NULL). The
 * second refuses every row of every message: it is an outage to wait out, not data to reject. This
 * check tells the two apart by reading the live columns from information_schema.
 */
import { getTableColumns, getTableName } from './drizzle.js';
import type { Column } from 'drizzle-orm';
import type { MySqlTable } from 'drizzle-orm/mysql-core';
import type { RowDataPacket } from 'mysql2/promise';
import type { DatabaseClient } from './client.js';

interface LiveColumn {
  readonly dataType: string;
  readonly columnType: string;
  readonly length: number | null;
  readonly nullable: boolean;
}

const STRING_TYPES = new Set(['varchar', 'char', 'text', 'mediumtext', 'longtext']);
const INTEGER_TYPES = ['tinyint', 'smallint', 'mediumint', 'int', 'bigint'];

/** Why `live` cannot hold every value lograbbit writes to `column`; null when it can. */
function mismatchOf(column: Column, live: LiveColumn): string | null {
  const expected = column.getSQLType().toLowerCase();
  if (!column.notNull && !live.nullable) return 'NOT NULL, where lograbbit writes NULL';
  const [, base = '', size] = /^(\w+)(?:\((\d+)\))?/.exec(expected) ?? [];
  const wanted = size === undefined ? null : Number(size);
  const holds = ((): boolean => {
    switch (column.columnType) {
      case 'MySqlVarChar':
      case 'MySqlText':
        return STRING_TYPES.has(live.dataType) && (live.length ?? 0) >= (wanted ?? 65_535);
      case 'MySqlSmallInt':
      case 'MySqlBigInt53': {
        const rank = INTEGER_TYPES.indexOf(live.dataType);
        const least = INTEGER_TYPES.indexOf(base);
        const unsignedLive = live.columnType.includes('unsigned');
        if (expected.includes('unsigned')) return unsignedLive ? rank >= least : rank > least;
        return !unsignedLive && rank >= least;
      }
      case 'MySqlBoolean':
        return INTEGER_TYPES.includes(live.dataType);
      case 'MySqlDouble':
        return live.dataType === 'double';
      case 'MySqlDateString':
        // The partition day of raw_log and rejected_log.
        return live.dataType === 'date';
      case 'MySqlDateTime':
        return live.dataType === 'datetime' && (wanted === null || live.columnType.includes(`(${wanted})`));
      case 'MySqlJson':
        // MariaDB's JSON is an alias of LONGTEXT with a validity check.
        return live.dataType === 'json' || live.dataType === 'longtext';
      default:
        // The bytes columns: binary(16) and longblob.
        return live.dataType === base && (wanted === null || live.length === wanted);
    }
  })();
  return holds ? null : `${live.columnType}, where lograbbit writes ${expected}`;
}

/**
 * A checker of `tables`: resolves with the first way one of them differs from what lograbbit writes
 * (a sentence naming the table, the column and what to do), or null when they are as expected.
 */
export function tableCheckOf(
  pool: DatabaseClient,
  tables: readonly MySqlTable[],
): () => Promise<string | null> {
  return async () => {
    for (const table of tables) {
      const name = getTableName(table);
      const [rows] = await pool.query<RowDataPacket[]>(
        `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType,
                CHARACTER_MAXIMUM_LENGTH AS length, IS_NULLABLE AS nullable
           FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
        [name],
      );
      const live = new Map<string, LiveColumn>(
        rows.map((row) => [
          String(row.name),
          {
            dataType: String(row.dataType).toLowerCase(),
            columnType: String(row.columnType).toLowerCase(),
            length: row.length === null ? null : Number(row.length),
            nullable: row.nullable === 'YES',
          },
        ]),
      );
      const fix = 'restore it as the migrations made it (drizzle/), or undo the change';
      if (live.size === 0) return `table ${name} is missing: run \`lograbbit setup\``;
      for (const column of Object.values(getTableColumns(table) as Record<string, Column>)) {
        if (column.generated !== undefined) continue;
        const found = live.get(column.name);
        if (found === undefined) return `${name}.${column.name} is missing; ${fix}`;
        const mismatch = mismatchOf(column, found);
        if (mismatch !== null) return `${name}.${column.name} is ${mismatch}; ${fix}`;
      }
    }
    return null;
  };
}
