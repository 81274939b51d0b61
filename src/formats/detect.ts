/**
 * Parsing with a named format, a compiled custom format, or by auto-detection.
 *
 * A source's lines nearly always share one format, so the detector remembers, in a small object the
 * caller keeps per source, the format that last succeeded and tries it first: one parse per line in
 * the steady state, the others only when the format changes or a line is bad. The same object holds
 * what a format must remember about the source (W3C's `#Fields:`).
 */
import type { FormatName, ParseResult } from '../domain/index.js';
import type { CustomFormat } from './custom-format.js';
import { AUTO_ORDER, FORMAT_PARSERS, type SourceState } from './registry.js';
import type { Rejection } from './reject.js';

/** What parsing remembers for one source. Create one per source and pass it on every call. */
export interface DetectMemo extends SourceState {
  /** The format that parsed (or recognised) this source's last line. */
  last: FormatName | null;
}

/** What `--format` (and `--log-format`/`--apache-format`) chose: a built-in, `auto`, or a compiled format. */
export type FormatChoice = FormatName | 'auto' | CustomFormat;

/** A fresh memo, for a new source. */
export function createDetectMemo(): DetectMemo {
  return { last: null, w3cLayout: null };
}

/**
 * Parses `line` with `format`, or with the first format that accepts it when `format` is `'auto'`
 * (trying `memo.last` first and updating it). When none accepts the line, the reason names the format
 * that got furthest into it and why that one failed; a line that a format recognises as its own
 * non-request line (a W3C directive) gets that format's reason. Never throws.
 */
export function parseLine(line: string, format: FormatChoice, memo?: DetectMemo): ParseResult {
  if (typeof format === 'object') return format.parse(line);
  if (format !== 'auto') {
    const parse = FORMAT_PARSERS[format];
    return parse
      ? parse(line, memo)
      : { ok: false, reason: `format "${format}" has no parser yet`, code: 'no_format' };
  }
  const first = memo?.last ?? null;
  const firstParse = first === null ? undefined : FORMAT_PARSERS[first];
  let best: Rejection | null = null;
  if (firstParse) {
    const result = firstParse(line, memo);
    if (result.ok || result.final) return result;
    best = result;
  }
  for (const name of AUTO_ORDER) {
    const parse = FORMAT_PARSERS[name];
    if (name === first || !parse) continue;
    const result = parse(line, memo);
    if (result.ok || result.final) {
      if (memo) memo.last = name;
      return result;
    }
    // Ties go to the earlier try: the memo's format, then the more specific.
    if (best === null || result.at > best.at) best = result;
  }
  return {
    ok: false,
    reason: `no format matched; closest was ${best ? best.reason : 'none'}`,
    code: best ? best.code : 'no_format',
  };
}
