/**
 * How a format says no: a `Rejection` is the failure branch of `ParseResult` plus `at`, the index in
 * the line where the format gave up. Auto-detection uses `at` to tell which format came closest.
 */
import type { ParseResult, RejectCode } from '../domain/index.js';

/** A parse failure with the position the parser reached; assignable to `ParseResult`. */
export interface Rejection {
  readonly ok: false;
  /** `<format>: <what failed>`, e.g. `combined: bad status "2x0"`. */
  readonly reason: string;
  /** What failed, as metrics count it: `bad_status` there. */
  readonly code: RejectCode;
  /** Index in the line where the parser gave up (how far it got). */
  readonly at: number;
  /**
   * The line is this format's, but not a request (a W3C `#Fields:` directive): auto-detection takes
   * this reason as it is and tries no other format.
   */
  readonly final?: boolean;
}

/** What a format parser returns: a hit, or a rejection that says where and why. */
export type FormatResult = Extract<ParseResult, { ok: true }> | Rejection;

/** Builds a rejection for `format` at index `at`: `code` for metrics, `what` for people. */
export function reject(format: string, at: number, code: RejectCode, what: string): Rejection {
  return { ok: false, reason: `${format}: ${what}`, code, at };
}

// Reasons end up in logs and in the dead-letter table: a 1 MiB garbage line must not be copied whole.
const MAX_QUOTED = 40;

/** Quotes a piece of the line for a reason: JSON-escaped, cut to a few dozen characters. */
export function quote(text: string, start = 0, end = text.length): string {
  const cut = end - start > MAX_QUOTED;
  const piece = text.slice(start, cut ? start + MAX_QUOTED : end);
  return JSON.stringify(piece + (cut ? '…' : ''));
}

/** The end of the token that starts at `start`: the next space or the end of the line. */
export function tokenEnd(line: string, start: number): number {
  const sp = line.indexOf(' ', start);
  return sp === -1 ? line.length : sp;
}
