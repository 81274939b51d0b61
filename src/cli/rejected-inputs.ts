/**
 * An input most of whose lines were rejected is rarely a log with bad lines: it is a README in the
 * directory, a binary, or a log in another format than the one asked for. Said once per input, with
 * the likely cause read from a sample of its rejected lines (their first bytes and their reasons, as
 * whichever consumer stored them wrote them). Pure.
 */
import { rejectReasonClassOf } from '../telemetry/index.js';

/** A rejected line as sampled: its first bytes and its reason. */
export interface RejectedLine {
  readonly line: Buffer;
  readonly reason: string;
}

/** True when more than half of an input's lines were rejected. */
export function isMostlyRejected(lines: number, rejected: number): boolean {
  return lines > 0 && rejected * 2 > lines;
}

const NO_MATCH = 'no format matched; closest was ';

/**
 * The likely cause, from the sample: not text (NUL or control bytes, invalid UTF-8), lines cut at the
 * maximum length, no format matching them (auto-detection), or not the format asked for.
 */
export function likelyCauseOf(sample: readonly RejectedLine[]): string {
  if (sample.length === 0) return 'no rejected line to look at';
  const most = (count: number): boolean => count * 2 > sample.length;
  if (most(sample.filter(({ line }) => looksBinary(line)).length)) {
    return 'not text: a binary file?';
  }
  const classes = sample.map(({ reason }) => rejectReasonClassOf(reason));
  if (most(classes.filter((name) => name === 'too_long').length)) {
    return 'lines longer than the maximum line length (--max-line-bytes), or not a log?';
  }
  const unmatched = sample.filter(({ reason }) => reason.startsWith(NO_MATCH));
  if (most(unmatched.length)) {
    const closest = mostCommon(unmatched.map(({ reason }) => formatOf(reason.slice(NO_MATCH.length))));
    return `not an access log? no format matched its lines (format: auto; closest: ${closest})`;
  }
  const format = mostCommon(sample.map(({ reason }) => formatOf(reason)));
  if (format === 'custom') {
    return 'not in the format of --log-format or --apache-format? (see the reasons in rejected_log)';
  }
  return `not in the ${format} format? (format: ${format}; --format auto tries each format)`;
}

/** The format a reason names (`combined: bad status "2x0"`), or `none`. */
function formatOf(reason: string): string {
  const colon = reason.indexOf(': ');
  return colon > 0 && colon < 24 && !reason.slice(0, colon).includes(' ') ? reason.slice(0, colon) : 'none';
}

function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best = 'none';
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount) [best, bestCount] = [value, count];
  }
  return best;
}

/**
 * A NUL or a control byte that text never holds (tab, CR, ESC and form feed aside), or bytes that are
 * not UTF-8. The sample holds a line's first bytes, so a character cut at its end is not counted.
 */
function looksBinary(line: Buffer): boolean {
  for (const byte of line) {
    if (byte === 0x7f || (byte < 0x20 && byte !== 0x09 && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b)) {
      return true;
    }
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(line, { stream: true });
    return false;
  } catch {
    return true;
  }
}
