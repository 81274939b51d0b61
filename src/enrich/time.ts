/**
 * Calendar fields of a hit's instant, all in UTC: the clean table's date, day-of-week and time columns.
 * The line's own offset was already applied by the parser, so nothing here depends on a time zone.
 */

/** The UTC calendar fields of one instant. */
export interface TimeParts {
  readonly ts: Date;
  readonly year: number;
  /** 1..12. */
  readonly month: number;
  /** 1..31. */
  readonly day: number;
  /** English day name: `Sunday`… */
  readonly dayOfWeek: string;
  /** `HH:MM:SS`. */
  readonly timeOfDay: string;
}

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MS_PER_DAY = 86_400_000;
// Two-digit strings for 0..59, so a time of day costs one concatenation and no padding calls.
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));

/** The UTC calendar fields of `epochMs`. */
export function timeParts(epochMs: number): TimeParts {
  const ts = new Date(epochMs);
  const msOfDay = ((epochMs % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
  const seconds = Math.floor(msOfDay / 1000);
  const timeOfDay = `${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}`;
  return {
    ts,
    year: ts.getUTCFullYear(),
    month: ts.getUTCMonth() + 1,
    day: ts.getUTCDate(),
    dayOfWeek: DAY_NAMES[ts.getUTCDay()] as string,
    timeOfDay,
  };
}
