/**
 * Reading fields of JSON access logs (nginx `escape=json`, Caddy): values of any JSON type as text,
 * and times in any of the ways JSON logs write them.
 */
import type { LogTime } from '../domain/index.js';
import { parseClfTime } from './clf-time.js';
import { epochSecondsOf, parseEpochSeconds, parseIsoTime } from './iso-time.js';

/** The value as text: numbers and booleans as written, objects as JSON; `-`, `""` and null are null. */
export function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value === '' || value === '-' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A time written as epoch seconds (number or text), ISO 8601 text or CLF text; or a reason. */
export function timeOf(value: unknown): LogTime | string {
  if (typeof value === 'number') return epochSecondsOf(value);
  if (typeof value !== 'string') return 'time is not a string or a number';
  const c = value.charCodeAt(2);
  if (c === 47) return parseClfTime(value.charCodeAt(0) === 91 ? value.slice(1, -1) : value);
  if (value.charCodeAt(4) === 45) return parseIsoTime(value);
  return parseEpochSeconds(value);
}

/** A status from a number or digits (`200`, `"200"`), or -1. */
export function statusOf(value: unknown): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{1,3}$/.test(value)
        ? Number(value)
        : -1;
  return Number.isInteger(n) && n >= 0 && n <= 999 ? n : -1;
}

/** A byte count from a number or digits; `-` or missing is 0; -1 when it is not a count. */
export function bytesOf(value: unknown): number {
  if (value === undefined || value === null || value === '-' || value === '') return 0;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{1,16}$/.test(value)
        ? Number(value)
        : -1;
  return Number.isSafeInteger(n) && n >= 0 ? n : -1;
}
