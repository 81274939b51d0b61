/**
 * `combined`: Apache's and nginx's default, `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`,
 * and nginx's sample `main` format, which adds `"$http_x_forwarded_for"`.
 *
 * Fields after the user agent are accepted when they are well formed (space-separated quoted strings
 * or bare tokens, as Apache's `%D` adds): the referrer and user agent were already delimited by their
 * quotes, so nothing can be misread. When the first of them is a quoted address list or `"-"`, it is
 * nginx's X-Forwarded-For: its first address becomes the client. The others are kept, as written, in
 * `extra.trailing`. A stray quote or an unterminated field after the user agent rejects the line.
 * `vcombined` and `traefik` reuse the scanner below with their own prefix or tail.
 */
import type { FormatName } from '../domain/index.js';
import { clfHit, createClfFields, scanClf, type ClfFields } from './clf-fields.js';
import { isAddressList, parseForwardedFor, type ForwardedFor } from './forwarded.js';
import { closingQuote, isBlankFrom, unquote } from './quoted.js';
import { quote, reject, type FormatResult, type Rejection } from './reject.js';

const fields = createClfFields();

/** `-` or empty → null. */
export function dashOrText(text: string): string | null {
  return text === '-' || text === '' ? null : text;
}

/** What follows the size in a combined line: referrer and user agent, and where the user agent ends. */
export interface CombinedTail {
  readonly referrer: string | null;
  readonly userAgent: string | null;
  /** Index of the user agent's closing quote. */
  readonly uaEnd: number;
}

/** Reads ` "<referrer>" "<user agent>"` after the size scanned into `f`. */
export function scanCombinedTail(line: string, format: FormatName, f: ClfFields): CombinedTail | Rejection {
  const refStart = f.end + 2;
  if (line.charCodeAt(f.end) !== 32 || line.charCodeAt(f.end + 1) !== 34) {
    return reject(format, f.end, `expected ' "<referrer>"' after the size, got ${quote(line, f.end)}`);
  }
  const refEnd = closingQuote(line, refStart);
  if (refEnd === -1) return reject(format, refStart, `unterminated referrer ${quote(line, refStart)}`);
  const uaStart = refEnd + 3;
  if (line.charCodeAt(refEnd + 1) !== 32 || line.charCodeAt(refEnd + 2) !== 34) {
    return reject(format, refEnd + 1, 'expected \' "<user agent>"\' after the referrer');
  }
  const uaEnd = closingQuote(line, uaStart);
  if (uaEnd === -1) return reject(format, uaStart, `unterminated user agent ${quote(line, uaStart)}`);
  return {
    referrer: dashOrText(unquote(line, refStart, refEnd)),
    userAgent: dashOrText(unquote(line, uaStart, uaEnd)),
    uaEnd,
  };
}

// The end of the well-formed trailing fields from `start`, or -1 where one is malformed.
function trailingEnd(line: string, start: number): number {
  let p = start;
  while (p < line.length && !isBlankFrom(line, p)) {
    if (line.charCodeAt(p) !== 32) return -1;
    p++;
    if (line.charCodeAt(p) === 34) {
      const q = closingQuote(line, p + 1);
      if (q === -1) return -1;
      p = q + 1;
    } else {
      const sp = line.indexOf(' ', p);
      const end = sp === -1 ? line.length : sp;
      const q = line.indexOf('"', p);
      if (end === p || (q !== -1 && q < end)) return -1;
      p = end;
    }
  }
  return p;
}

const NO_FORWARDED: ForwardedFor = { client: null, chain: null };

/**
 * The hit of a combined-shaped line whose fields are in `f` and tail in `tail`: trailing fields are
 * checked, an X-Forwarded-For field is read. `vhost` is vcombined's prefix.
 */
export function combinedHit(
  line: string,
  format: FormatName,
  f: ClfFields,
  tail: CombinedTail,
  vhost: string | null,
): FormatResult {
  let trailing: string | null = null;
  let forwarded = NO_FORWARDED;
  const from = tail.uaEnd + 1;
  if (!isBlankFrom(line, from)) {
    const end = trailingEnd(line, from);
    if (end === -1) {
      return reject(format, from, `malformed fields after the user agent: ${quote(line, from)}`);
    }
    let rest = from + 1;
    if (line.charCodeAt(rest) === 34) {
      const q = closingQuote(line, rest + 1);
      const value = unquote(line, rest + 1, q);
      if (value === '-' || isAddressList(value)) {
        forwarded = parseForwardedFor(value);
        rest = q + 2;
      }
    }
    if (rest < end) trailing = line.slice(rest, end);
  }
  const more = forwarded === NO_FORWARDED && vhost === null ? undefined : { forwarded, vhost };
  return { ok: true, hit: clfHit(format, f, false, tail.referrer, tail.userAgent, trailing, more) };
}

/** Parses one combined-format line. Never throws. */
export function parseCombined(line: string): FormatResult {
  const bad = scanClf(line, 'combined', fields);
  if (bad !== null) return bad;
  const tail = scanCombinedTail(line, 'combined', fields);
  if ('ok' in tail) return tail;
  return combinedHit(line, 'combined', fields, tail, null);
}
