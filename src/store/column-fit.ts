/**
 * Values → what their columns can hold, from the drizzle schema itself (no second copy of the
 * widths). A value the server would refuse, clamp or cut never reaches SQL: text is clipped to its
 * column, and a number or date out of its column's range is dropped (its column is named in the
 * result) or, when the column cannot be NULL, the row is refused with a reason. The database then
 * refuses a row only when the table itself changed, which the writers treat as an outage.
 */
import { getTableColumns } from 'drizzle-orm';
import type { Column } from 'drizzle-orm';
import type { MySqlTable } from 'drizzle-orm/mysql-core';

/** A row made to fit, with the columns whose value was dropped; or why it cannot fit. */
export type FitResult<Row> =
  | { readonly ok: true; readonly row: Row; readonly dropped: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** What a column takes of a value: the value itself, another (clipped), or `undefined` (does not fit). */
type Fit = (value: unknown) => unknown;

/** TEXT holds 65,535 bytes; a UTF-16 unit takes at most 3 bytes of UTF-8 (a pair of them, 4). */
const TEXT_CHARS = 16_383;

/** DATETIME's range: years 1000 to 9999. */
const DATETIME_MIN_MS = Date.UTC(1000, 0, 1);
const DATETIME_MAX_MS = Date.UTC(10000, 0, 1) - 1;

/** Clips to `max` UTF-16 code units without splitting a surrogate pair. */
export function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  const end = /[\uD800-\uDBFF]/.test(value.charAt(max - 1)) ? max - 1 : max;
  return value.slice(0, end);
}

const integerIn =
  (min: number, max: number): Fit =>
  (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;

const clipTo =
  (max: number): Fit =>
  (value) =>
    typeof value === 'string' ? clip(value, max) : undefined;

/** How a column takes values; null for those that need no check (bytes, booleans, JSON). */
function fitOf(column: Column): Fit | null {
  const type = column.getSQLType();
  const unsigned = / unsigned$/.test(type);
  switch (column.columnType) {
    case 'MySqlVarChar':
      return clipTo(Number(/\((\d+)\)/.exec(type)?.[1]));
    case 'MySqlText':
      return clipTo(TEXT_CHARS);
    case 'MySqlSmallInt':
      return unsigned ? integerIn(0, 65_535) : integerIn(-32_768, 32_767);
    case 'MySqlBigInt53':
      return unsigned
        ? integerIn(0, Number.MAX_SAFE_INTEGER)
        : integerIn(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    case 'MySqlDouble':
      return (value) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
    case 'MySqlDateTime':
      return (value) => {
        if (!(value instanceof Date)) return undefined;
        const ms = value.getTime();
        return ms >= DATETIME_MIN_MS && ms <= DATETIME_MAX_MS ? value : undefined;
      };
    default:
      return null;
  }
}

/** A short, printable view of a value for a reason (a line's values may be long or hostile). */
function shown(value: unknown): string {
  const text = value instanceof Date ? String(value.getTime()) : String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * A function that makes rows of `table` fit its columns. Clipping a text is not a drop; a number or
 * date that does not fit is. Only the columns that can refuse a value are checked, so a row costs a
 * few comparisons.
 */
export function rowFitterOf<Row extends object>(table: MySqlTable): (row: Row) => FitResult<Row> {
  const checks = Object.entries(getTableColumns(table) as Record<string, Column>)
    .filter(([, column]) => column.generated === undefined)
    .flatMap(([key, column]) => {
      const fit = fitOf(column);
      return fit === null
        ? []
        : [{ key, name: column.name, type: column.getSQLType(), notNull: column.notNull, fit }];
    });
  return (row) => {
    const record = row as Record<string, unknown>;
    let fitted: Record<string, unknown> | undefined;
    let dropped: string[] | undefined;
    for (const check of checks) {
      const value = record[check.key];
      if (value === null || value === undefined) continue;
      const taken = check.fit(value);
      if (taken === value) continue;
      if (taken === undefined && check.notNull) {
        return { ok: false, reason: `${check.name} ${shown(value)} does not fit its ${check.type} column` };
      }
      fitted ??= { ...record };
      fitted[check.key] = taken ?? null;
      if (taken === undefined) (dropped ??= []).push(check.name);
    }
    return { ok: true, row: (fitted ?? row) as Row, dropped: dropped ?? [] };
  };
}
