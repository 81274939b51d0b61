/**
 * The time of a line, read cheaply without parsing the rest, for the raw table's `ts` column: the
 * first `[dd/Mon/yyyy:HH:MM:SS ±hhmm]` group that is a real time, whatever the line's format.
 */
import type { LogTime } from '../domain/index.js';
import { CLF_TIME_MAX_LENGTH, CLF_TIME_MIN_LENGTH, parseClfTime } from './clf-time.js';

/** The first readable CLF time in brackets in `line`, or null. Never throws. */
export function readLineTime(line: string): LogTime | null {
  for (let open = line.indexOf('['); open !== -1; open = line.indexOf('[', open + 1)) {
    // The closing bracket is looked for in a bounded window only, so a line full of `[` stays linear.
    const window = open + 1 + CLF_TIME_MAX_LENGTH;
    let close = open + 1 + CLF_TIME_MIN_LENGTH;
    while (close <= window && close < line.length && line.charCodeAt(close) !== 93) close++;
    if (line.charCodeAt(close) !== 93) continue;
    const time = parseClfTime(line, open + 1, close);
    if (typeof time !== 'string') return time;
  }
  return null;
}
