/**
 * The days the line tables are partitioned by, as pure values: a line's day from its own time,
 * partition names and bounds, and which partitions to add or drop. partitions.ts runs the SQL.
 *
 * Each table has `p_untimed` (the lines whose time could not be read, on day `UNTIMED_DAY`), one
 * partition per UTC day `pYYYYMMDD` holding the rows below the next day (so the lowest one also
 * holds anything older), and `p_future`, the catch-all (MAXVALUE) where a line from beyond the
 * last day partition is still stored.
 */

/** The day of a line that has no readable time of its own: the lowest a DATE holds. */
export const UNTIMED_DAY = '1000-01-01';
export const UNTIMED_PARTITION = 'p_untimed';
export const CATCH_ALL_PARTITION = 'p_future';

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD`, the UTC day of `time`. */
export function utcDayOf(time: Date | number): string {
  return new Date(typeof time === 'number' ? time : time.getTime()).toISOString().slice(0, 10);
}

/** The day a row of a line with this time is stored under (its partition key). */
export function partitionDayOf(ts: Date | null): string {
  if (ts === null || Number.isNaN(ts.getTime())) return UNTIMED_DAY;
  const day = utcDayOf(ts);
  // A DATE holds years 1000 to 9999: a time outside (which column-fit drops anyway) is untimed.
  return day < '1000-01-02' || day > '9999-12-31' || day.length !== 10 ? UNTIMED_DAY : day;
}

/** `day` moved by `count` days. */
export function addDays(day: string, count: number): string {
  return utcDayOf(Date.parse(`${day}T00:00:00Z`) + count * DAY_MS);
}

/** The start of `day`, UTC, in ms. */
export function dayStartMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** `p20261204` for 2026-12-04. */
export function partitionNameOf(day: string): string {
  return `p${day.replaceAll('-', '')}`;
}

/** The day of a day partition's name, or null for another partition. */
export function dayOfPartition(name: string): string | null {
  const match = /^p(\d{4})(\d{2})(\d{2})$/.exec(name);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : null;
}

/** The clause of the partition of `day`: the rows below the next day. */
export function dayPartitionClause(day: string): string {
  return `PARTITION \`${partitionNameOf(day)}\` VALUES LESS THAN ('${addDays(day, 1)}')`;
}

/** How far back day partitions start on an empty table, and at most on one that has rows. */
export const INITIAL_DAYS_BACK = 31;
export const MOST_DAYS_BACK = 1000;

/**
 * The days to split off the catch-all so that day partitions reach `today + daysAhead`, in order;
 * empty when they already do. `lastDay` is the table's highest day partition (null: none yet, then
 * they start `INITIAL_DAYS_BACK` before today, or at the oldest day found in the catch-all,
 * `oldestInCatchAll`, but never more than `MOST_DAYS_BACK` before today).
 */
export function daysToAdd(
  lastDay: string | null,
  today: string,
  daysAhead: number,
  oldestInCatchAll: string | null = null,
): string[] {
  const last = addDays(today, daysAhead);
  let first: string;
  if (lastDay !== null) first = addDays(lastDay, 1);
  else {
    first = addDays(today, -INITIAL_DAYS_BACK);
    if (oldestInCatchAll !== null && oldestInCatchAll < first) first = oldestInCatchAll;
    const floor = addDays(today, -MOST_DAYS_BACK);
    if (first < floor) first = floor;
  }
  const days: string[] = [];
  for (let day = first; day <= last; day = addDays(day, 1)) days.push(day);
  return days;
}

/** A partition as information_schema lists it, with the rows it holds (an estimate). */
export interface PartitionInfo {
  readonly name: string;
  readonly rows: number;
}

/** The day partitions whose every row is older than `firstDayKept`, oldest first. */
export function partitionsBefore(
  partitions: readonly PartitionInfo[],
  firstDayKept: string,
): Array<PartitionInfo & { readonly day: string }> {
  return partitions
    .map((partition) => ({ ...partition, day: dayOfPartition(partition.name) }))
    .filter((partition): partition is PartitionInfo & { day: string } => partition.day !== null)
    .filter((partition) => partition.day < firstDayKept)
    .sort((a, b) => (a.day < b.day ? -1 : 1));
}
