/**
 * Values → what their columns can hold, from the drizzle schema itself (no second copy of the
 * widths). A value the server would refuse, clamp or cut never reaches SQL: text is clipped to its
 * column, and a number or date out of its column's range is dropped (its column is named in the
 * result) or, when the column cannot be NULL, the row is refused with a reason. The database then
 * refuses a row only when the table itself changed, which the writers treat as an outage.
 */
import { getTableColumns } from './drizzle.js';
import type { Column } from 'drizzle-orm';
import type { MySqlTable } from 'drizzle-orm/mysql-core';
import type { RejectCode } from '../domain/index.js';

/** A row made to fit, with the columns whose value was dropped; or why it cannot fit. */
export type FitResult<Row> =
  | { readonly ok: true; readonly row: Row; readonly dropped: readonly string[] }
  | { readonly ok: false; readonly reason: string; readonly code: RejectCode };

/** The kinds of column whose values are checked; the others (bytes, booleans, JSON) take any. */
const TEXT = 0;
const INTEGER = 1;
const DOUBLE = 2;
const DATETIME = 3;

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

interface Check {
  readonly key: string;
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
  readonly kind: number;
  /** Characters for TEXT; the range for INTEGER. */
  readonly min: number;
  readonly max: number;
}

/** How a column's values are checked; null for those that need none. */
function checkOf(key: string, column: Column): Check | null {
  const type = column.getSQLType();
  const unsigned = / unsigned$/.test(type);
  // Every check has the same fields in the same order: one shape, so the loop over them stays fast.
  const check = (kind: number, min: number, max: number): Check => ({
    key,
    name: column.name,
    type,
    notNull: column.notNull,
    kind,
    min,
    max,
  });
  switch (column.columnType) {
    case 'MySqlVarChar':
      return check(TEXT, 0, Number(/\((\d+)\)/.exec(type)?.[1]));
    case 'MySqlText':
      return check(TEXT, 0, TEXT_CHARS);
    case 'MySqlSmallInt':
      return unsigned ? check(INTEGER, 0, 65_535) : check(INTEGER, -32_768, 32_767);
    case 'MySqlBigInt53':
      return check(INTEGER, unsigned ? 0 : -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    case 'MySqlDouble':
      return check(DOUBLE, 0, 0);
    case 'MySqlDateTime':
      return check(DATETIME, 0, 0);
    default:
      return null;
  }
}

/** What `check`'s column takes of `value`: itself, a clipped text, or undefined (it does not fit). */
function fitted(check: Check, value: unknown): unknown {
  // One switch, not a function per column: this runs for every column of every line.
  switch (check.kind) {
    case TEXT:
      if (typeof value !== 'string') return undefined;
      return value.length > check.max ? clip(value, check.max) : value;
    case INTEGER:
      return typeof value === 'number' && Number.isInteger(value) && value >= check.min && value <= check.max
        ? value
        : undefined;
    case DOUBLE:
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    default: {
      if (!(value instanceof Date)) return undefined;
      const ms = value.getTime();
      return ms >= DATETIME_MIN_MS && ms <= DATETIME_MAX_MS ? value : undefined;
    }
  }
}

/** A short, printable view of a value for a reason (a line's values may be long or hostile). */
function shown(value: unknown): string {
  const text = value instanceof Date ? String(value.getTime()) : String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** The checks of `table`'s written columns. */
function checksOf(table: MySqlTable): Check[] {
  return Object.entries(getTableColumns(table) as Record<string, Column>)
    .filter(([, column]) => column.generated === undefined)
    .flatMap(([key, column]) => checkOf(key, column) ?? []);
}

/**
 * The width of each text column of `table`, in UTF-16 units, by key: for a hot path that clips its
 * texts itself (a property read per field, where a loop over the columns reads them by name).
 */
export function textWidthsOf<Key extends string>(table: MySqlTable): Readonly<Record<Key, number>> {
  return Object.fromEntries(
    checksOf(table)
      .filter((check) => check.kind === TEXT)
      .map((check) => [check.key, check.max]),
  ) as Record<Key, number>;
}

/**
 * A function that makes rows of `table` fit its columns. Clipping a text is not a drop; a number or
 * date that does not fit is. Only the columns that can refuse a value are checked; with
 * `texts: false`, only numbers and dates (the caller clipped the texts, see `textWidthsOf`).
 */
export function rowFitterOf<Row extends object>(
  table: MySqlTable,
  options: { readonly texts?: boolean } = {},
): (row: Row) => FitResult<Row> {
  const checks = checksOf(table).filter((check) => options.texts !== false || check.kind !== TEXT);
  return (row) => {
    const record = row as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    let dropped: string[] | undefined;
    for (const check of checks) {
      const value = record[check.key];
      if (value === null || value === undefined) continue;
      const taken = fitted(check, value);
      if (taken === value) continue;
      if (taken === undefined && check.notNull) {
        return {
          ok: false,
          reason: `${check.name} ${shown(value)} does not fit its ${check.type} column`,
          code: 'out_of_range',
        };
      }
      copy ??= { ...record };
      copy[check.key] = taken ?? null;
      if (taken === undefined) (dropped ??= []).push(check.name);
    }
    return { ok: true, row: (copy ?? row) as Row, dropped: dropped ?? [] };
  };
}
