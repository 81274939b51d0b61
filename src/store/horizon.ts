/**
 * The retention horizon as the writers see it: the first UTC day whose lines are kept, read from
 * `retention_horizon` (written by `prune`) and cached, refreshed every `refreshMs`. A line row older
 * than it is not sent to its table (`skipLinesBeforeHorizon`): its day was dropped, or is about to
 * be, and a late line would refill it. The rows are filtered where they are handed to the table
 * inputs, after everything else has seen them.
 */
import type { RowDataPacket } from 'mysql2/promise';
import type { DatabaseClient } from './client.js';
import { UNTIMED_DAY, dayStartMs } from './partition-days.js';
import type { CleanRow } from './schema.js';

export interface Horizon {
  /** `YYYY-MM-DD`: lines of earlier days are not stored. */
  readonly linesFrom: string;
  /** Its start, UTC, in ms. */
  readonly linesFromMs: number;
}

/** How often the writers read the horizon again, by default, in ms. */
export const HORIZON_REFRESH_MS = 30_000;

export interface HorizonWatch {
  /** The horizon last read; null before the first read and while no prune has set one. */
  current(): Horizon | null;
  /** Reads it now (the writers call it before their first transaction; tests, after a prune). */
  refresh(): Promise<void>;
}

/** Reads the horizon now and every `refreshMs` after; a failed read keeps the last one. */
export function watchHorizon(pool: DatabaseClient, refreshMs: number = HORIZON_REFRESH_MS): HorizonWatch {
  let horizon: Horizon | null = null;
  let reading: Promise<void> | undefined;
  const refresh = (): Promise<void> =>
    (reading ??= readHorizon(pool)
      .then((read) => void (horizon = read))
      // The database away: the writers meet it and wait. A closed pool: the timer below stops.
      .catch((error: unknown) => {
        if (/closed/i.test(String(error))) clearInterval(timer);
      })
      .finally(() => (reading = undefined)));
  // `refresh` never rejects (the catch above), so the timer and the first read need no await.
  const timer = setInterval(() => void refresh(), refreshMs);
  // The timer never keeps a process alive on its own.
  timer.unref();
  void refresh();
  return { current: () => horizon, refresh };
}

/** The horizon stored by the last prune, or null when none was. */
export async function readHorizon(pool: DatabaseClient): Promise<Horizon | null> {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SELECT DATE_FORMAT(lines_from, '%Y-%m-%d') AS linesFrom FROM retention_horizon WHERE id = 1",
  );
  const linesFrom: unknown = rows[0]?.linesFrom;
  return typeof linesFrom === 'string' ? { linesFrom, linesFromMs: dayStartMs(linesFrom) } : null;
}

/** Whether a raw or rejected row is a line of a day before the horizon (an untimed one never is). */
export const isDayRowBefore = (row: { readonly day: string }, horizon: Horizon): boolean =>
  row.day < horizon.linesFrom && row.day !== UNTIMED_DAY;

/** Whether a clean row is a line of a day before the horizon. */
export const isCleanRowBefore = (row: CleanRow, horizon: Horizon): boolean =>
  row.ts.getTime() < horizon.linesFromMs;

/**
 * `rows` without the lines older than `horizon`: the filter between the rows a transaction was
 * given and the rows it sends to the tables. The same array when none is older (the usual case).
 */
export function skipLinesBeforeHorizon<Row>(
  rows: readonly Row[],
  horizon: Horizon | null,
  isBefore: (row: Row, horizon: Horizon) => boolean,
): readonly Row[] {
  if (horizon === null) return rows;
  let kept: Row[] | undefined;
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index] as Row;
    if (isBefore(row, horizon)) kept ??= rows.slice(0, index);
    else kept?.push(row);
  }
  return kept ?? rows;
}
