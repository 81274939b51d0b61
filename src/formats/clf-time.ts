/**
 * The Common Log Format time, `dd/Mon/yyyy:HH:MM:SS[.fff] ±hhmm`, read into a UTC instant.
 *
 * Hand-written because it runs once per line: digits are read by char code and the instant is computed
 * with Date.UTC, never Date.parse. The line's own offset is applied, never a fixed one, so lines
 * written in several zones, or across a change to or from summer time, land at their true instant.
 * Only instants that a MySQL DATETIME can hold (years 1000..9999, in UTC too) are accepted.
 */
import type { LogTime } from '../domain/index.js';

const MIN_EPOCH_MS = Date.UTC(1000, 0, 1);
const END_EPOCH_MS = Date.UTC(10000, 0, 1);
const MAX_OFFSET_MINUTES = 14 * 60;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Shortest text a CLF time can have: `01/Jan/2000:00:00:00 +0000`. */
export const CLF_TIME_MIN_LENGTH = 26;
/** Longest: the same with nine fractional digits. */
export const CLF_TIME_MAX_LENGTH = 36;

function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

function twoDigits(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

// Month by its three letters, case-insensitive, without slicing a string.
function monthIndex(s: string, i: number): number {
  const key = ((s.charCodeAt(i) | 32) << 16) | ((s.charCodeAt(i + 1) | 32) << 8) | (s.charCodeAt(i + 2) | 32);
  for (let m = 0; m < 12; m++) {
    const n = MONTH_NAMES[m] as string;
    if (key === (((n.charCodeAt(0) | 32) << 16) | ((n.charCodeAt(1) | 32) << 8) | (n.charCodeAt(2) | 32))) {
      return m;
    }
  }
  return -1;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * Reads the CLF time in `s[start, end)` (the text between `[` and `]`).
 * Returns the instant, or a short reason (`bad month "Foo"`) when the text is not a real time: not a
 * `{ ok }` result, because it runs once per line inside a parser whose own result has that shape (and
 * the code, `bad_time`), and a wrapper would be one more object per line. The time readers of
 * iso-time.ts, json-values.ts and custom-format.ts answer the same way, for the same reason.
 */
export function parseClfTime(s: string, start = 0, end = s.length): LogTime | string {
  const len = end - start;
  if (len < CLF_TIME_MIN_LENGTH || len > CLF_TIME_MAX_LENGTH)
    return 'time is not "dd/Mon/yyyy:HH:MM:SS ±hhmm"';
  const i = start;
  if (s.charCodeAt(i + 2) !== 47 || s.charCodeAt(i + 6) !== 47 || s.charCodeAt(i + 11) !== 58) {
    return 'time is not "dd/Mon/yyyy:HH:MM:SS ±hhmm"';
  }
  if (s.charCodeAt(i + 14) !== 58 || s.charCodeAt(i + 17) !== 58)
    return 'time is not "dd/Mon/yyyy:HH:MM:SS ±hhmm"';
  const day = twoDigits(s, i);
  const month = monthIndex(s, i + 3);
  const y1 = twoDigits(s, i + 7);
  const y2 = twoDigits(s, i + 9);
  const hour = twoDigits(s, i + 12);
  const minute = twoDigits(s, i + 15);
  const second = twoDigits(s, i + 18);
  if (month < 0) return `bad month ${JSON.stringify(s.slice(i + 3, i + 6))}`;
  if (y1 < 0 || y2 < 0 || y1 < 10) return `bad year ${JSON.stringify(s.slice(i + 7, i + 11))}`;
  const year = y1 * 100 + y2;
  const monthDays = month === 1 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month] as number);
  if (day < 1 || day > monthDays)
    return `bad day ${JSON.stringify(s.slice(i, i + 2))} for ${MONTH_NAMES[month]} ${year}`;
  if (hour < 0 || hour > 23) return `bad hour ${JSON.stringify(s.slice(i + 12, i + 14))}`;
  if (minute < 0 || minute > 59) return `bad minute ${JSON.stringify(s.slice(i + 15, i + 17))}`;
  if (second < 0 || second > 59) return `bad second ${JSON.stringify(s.slice(i + 18, i + 20))}`;

  let p = i + 20;
  let ms = 0;
  if (s.charCodeAt(p) === 46) {
    // Fractions are truncated to milliseconds: rounding up could carry into the next second.
    p++;
    let scale = 100;
    const fracStart = p;
    while (p < end) {
      const d = digit(s, p);
      if (d < 0) break;
      ms += d * scale;
      scale /= 10;
      p++;
    }
    ms = Math.floor(ms);
    if (p === fracStart || p - fracStart > 9) return 'bad fraction of a second';
  }
  if (end - p !== 6 || s.charCodeAt(p) !== 32) return 'bad time zone, expected " ±hhmm"';
  const sign = s.charCodeAt(p + 1);
  const oh = twoDigits(s, p + 2);
  const om = twoDigits(s, p + 4);
  if ((sign !== 43 && sign !== 45) || oh < 0 || om < 0 || om > 59) {
    return `bad time zone ${JSON.stringify(s.slice(p + 1, end))}`;
  }
  const offsetAbs = oh * 60 + om;
  if (offsetAbs > MAX_OFFSET_MINUTES)
    return `time zone ${JSON.stringify(s.slice(p + 1, end))} is beyond ±14:00`;
  // `-0000` is UTC too; normalising it avoids a -0 that would not compare equal in tests or maps.
  const offsetMinutes = offsetAbs === 0 ? 0 : sign === 45 ? -offsetAbs : offsetAbs;
  const epochMs = Date.UTC(year, month, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  if (epochMs < MIN_EPOCH_MS || epochMs >= END_EPOCH_MS) return 'time is outside years 1000..9999 in UTC';
  return { epochMs, offsetMinutes };
}
