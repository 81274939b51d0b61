/**
 * Parsing with a named format or by auto-detection.
 *
 * A source's lines nearly always share one format, so the detector remembers, in a small object the
 * caller keeps per source, the format that last succeeded and tries it first: one parse per line in
 * the steady state, the others only when the format changes or a line is bad.
 */
import type { FormatName, ParseResult } from '../domain/index.js';
import { AUTO_ORDER, FORMAT_PARSERS } from './registry.js';
import type { Rejection } from './reject.js';

/** What auto-detection remembers for one source. Create one per source and pass it on every call. */
export interface DetectMemo {
  /** The format that parsed this source's last parsed line. */
  last: FormatName | null;
}

/** A fresh memo, for a new source. */
export function createDetectMemo(): DetectMemo {
  return { last: null };
}

/**
 * Parses `line` with `format`, or with the first format that accepts it when `format` is `'auto'`
 * (trying `memo.last` first and updating it). When none accepts the line, the reason names the format
 * that got furthest into it and why that one failed. Never throws.
 */
export function parseLine(line: string, format: FormatName | 'auto', memo?: DetectMemo): ParseResult {
  if (format !== 'auto') {
    const parse = FORMAT_PARSERS[format];
    return parse ? parse(line) : { ok: false, reason: `format "${format}" has no parser yet` };
  }
  const first = memo?.last ?? null;
  const firstParse = first === null ? undefined : FORMAT_PARSERS[first];
  let best: Rejection | null = null;
  if (firstParse) {
    const result = firstParse(line);
    if (result.ok) return result;
    best = result;
  }
  for (const name of AUTO_ORDER) {
    const parse = FORMAT_PARSERS[name];
    if (name === first || !parse) continue;
    const result = parse(line);
    if (result.ok) {
      if (memo) memo.last = name;
      return result;
    }
    // Ties go to the earlier try: the memo's format, then the more specific.
    if (best === null || result.at > best.at) best = result;
  }
  return { ok: false, reason: `no format matched; closest was ${best ? best.reason : 'none'}` };
}
