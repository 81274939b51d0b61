/**
 * Times that are not CLF: ISO 8601 (`2024-03-05T07:08:09.123456+05:30`, nginx's `$time_iso8601`,
 * AWS ALB, Caddy's `iso8601` option), W3C's `date time` in UTC, and epoch seconds (`1709622489.123`,
 * Squid, nginx's `$msec`, Caddy's default). Read by char code like the CLF time; fractions are
 * truncated to milliseconds; only instants a MySQL DATETIME can hold are accepted.
 */
import type { LogTime } from '../domain/index.js';

const MIN_EPOCH_MS = Date.UTC(1000, 0, 1);
const END_EPOCH_MS = Date.UTC(10000, 0, 1);
const MAX_OFFSET_MINUTES = 14 * 60;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = s.charCodeAt(i + k) - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    v = v * 10 + d;
  }
  return v;
}

function inRange(epochMs: number, offsetMinutes: number): LogTime | string {
  if (!(epochMs >= MIN_EPOCH_MS && epochMs < END_EPOCH_MS)) return 'time is outside years 1000..9999 in UTC';
  return { epochMs, offsetMinutes };
}

/**
 * Reads `yyyy-mm-ddTHH:MM:SS[.fff…][Z|±hh:mm|±hhmm]` in `s[start, end)`; `T` may be a space. A time
 * with no zone is UTC (W3C logs). Returns the instant or a short reason.
 */
export function parseIsoTime(s: string, start = 0, end = s.length): LogTime | string {
  const bad = 'time is not ISO 8601 "yyyy-mm-ddTHH:MM:SS±hh:mm"';
  const i = start;
  if (end - start < 19 || end - start > 40) return bad;
  const sep = s.charCodeAt(i + 10);
  if (s.charCodeAt(i + 4) !== 45 || s.charCodeAt(i + 7) !== 45 || (sep !== 84 && sep !== 32 && sep !== 116)) {
    return bad;
  }
  if (s.charCodeAt(i + 13) !== 58 || s.charCodeAt(i + 16) !== 58) return bad;
  const year = digits(s, i, 4);
  const month = digits(s, i + 5, 2);
  const day = digits(s, i + 8, 2);
  const hour = digits(s, i + 11, 2);
  const minute = digits(s, i + 14, 2);
  const second = digits(s, i + 17, 2);
  if (year < 1000 || month < 1 || month > 12) return `bad date ${JSON.stringify(s.slice(i, i + 10))}`;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day < 1 || day > monthDays) return `bad date ${JSON.stringify(s.slice(i, i + 10))}`;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return `bad time of day ${JSON.stringify(s.slice(i + 11, i + 19))}`;
  }
  let p = i + 19;
  let ms = 0;
  if (s.charCodeAt(p) === 46 || s.charCodeAt(p) === 44) {
    p++;
    const fracStart = p;
    let scale = 100;
    while (p < end) {
      const d = s.charCodeAt(p) - 48;
      if (!(d >= 0 && d <= 9)) break;
      ms += d * scale;
      scale /= 10;
      p++;
    }
    if (p === fracStart || p - fracStart > 9) return 'bad fraction of a second';
    ms = Math.floor(ms);
  }
  let offsetMinutes = 0;
  if (p < end) {
    const c = s.charCodeAt(p);
    if ((c === 90 || c === 122) && p + 1 === end) {
      offsetMinutes = 0;
    } else if (c === 43 || c === 45) {
      const oh = digits(s, p + 1, 2);
      const colon = s.charCodeAt(p + 3) === 58 ? 1 : 0;
      const om = digits(s, p + 3 + colon, 2);
      if (oh < 0 || om < 0 || om > 59 || p + 5 + colon !== end) {
        return `bad time zone ${JSON.stringify(s.slice(p, end))}`;
      }
      const abs = oh * 60 + om;
      if (abs > MAX_OFFSET_MINUTES) return `time zone ${JSON.stringify(s.slice(p, end))} is beyond ±14:00`;
      offsetMinutes = abs === 0 ? 0 : c === 45 ? -abs : abs;
    } else {
      return `bad time zone ${JSON.stringify(s.slice(p, end))}`;
    }
  }
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  return inRange(epochMs, offsetMinutes);
}

/** Reads epoch seconds with an optional fraction (`1709622489.123`) as a UTC time. */
export function parseEpochSeconds(text: string): LogTime | string {
  if (!/^\d{1,12}(\.\d{1,9})?$/.test(text)) return `bad epoch time ${JSON.stringify(text.slice(0, 24))}`;
  const dot = text.indexOf('.');
  const whole = Number(dot === -1 ? text : text.slice(0, dot));
  const frac = dot === -1 ? 0 : Number(`${text.slice(dot + 1)}00`.slice(0, 3));
  return inRange(whole * 1000 + frac, 0);
}

/** Epoch seconds as a JSON number (Caddy's `ts`); fractions truncated to milliseconds. */
export function epochSecondsOf(value: number): LogTime | string {
  if (!Number.isFinite(value) || value < 0) return 'bad epoch time';
  // 1709622489.123 * 1000 is 1709622489122.9998 in binary: a few microseconds of slack absorb that
  // (a fraction within 5 µs below the next millisecond rounds up to it).
  return inRange(Math.floor(value * 1000 + 0.005), 0);
}
