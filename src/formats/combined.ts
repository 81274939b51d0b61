/**
 * `combined`: Apache's and nginx's default, `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`,
 * and nginx's sample `main` format, which adds `"$http_x_forwarded_for"`.
 *
 * Real logs are read as far as they go. Fields after the user agent are whatever the server's
 * configuration appended (see trailing-fields.ts); the referrer and user agent were already delimited
 * by their quotes, so nothing before them can be misread. A line cut inside its referrer or user agent
 * (the writer stopped, or truncated a long user agent) keeps what is there, and the hit's `damage`
 * says which field was cut. A line is rejected only when it has no request, status or time.
 * `vcombined` and `traefik` reuse the scanner below with their own prefix or tail.
 */
import type { FormatName } from '../domain/index.js';
import { clfHit, createClfFields, scanClf, type ClfFields } from './clf-fields.js';
import { closingQuote, isBlankFrom, unquote } from './quoted.js';
import { quote, reject, type FormatResult, type Rejection } from './reject.js';
import { blankEnd, readTrailingFields } from './trailing-fields.js';

const fields = createClfFields();

/** `-` or empty → null. */
export function dashOrText(text: string): string | null {
  return text === '-' || text === '' ? null : text;
}

/** What follows the size in a combined line: referrer and user agent, and where the user agent ends. */
export interface CombinedTail {
  readonly ok: true;
  readonly referrer: string | null;
  readonly userAgent: string | null;
  /** Index of the user agent's closing quote; the line's length when the line ended before it. */
  readonly uaEnd: number;
  /** `unterminated:referrer`, `unterminated:user_agent` or `missing:user_agent` for a cut line. */
  readonly damage: string | null;
}

/** Reads ` "<referrer>" "<user agent>"` after the size scanned into `f`. */
export function scanCombinedTail(line: string, format: FormatName, f: ClfFields): CombinedTail | Rejection {
  const refStart = f.end + 2;
  if (line.charCodeAt(f.end) !== 32 || line.charCodeAt(f.end + 1) !== 34) {
    return reject(
      format,
      f.end,
      'bad_size',
      `expected ' "<referrer>"' after the size, got ${quote(line, f.end)}`,
    );
  }
  const refEnd = closingQuote(line, refStart);
  if (refEnd === -1) {
    const referrer = dashOrText(unquote(line, refStart, blankEnd(line)));
    return { ok: true, referrer, userAgent: null, uaEnd: line.length, damage: 'unterminated:referrer' };
  }
  const referrer = dashOrText(unquote(line, refStart, refEnd));
  const uaStart = refEnd + 3;
  if (line.charCodeAt(refEnd + 1) !== 32 || line.charCodeAt(refEnd + 2) !== 34) {
    if (isBlankFrom(line, refEnd + 1)) {
      return { ok: true, referrer, userAgent: null, uaEnd: line.length, damage: 'missing:user_agent' };
    }
    return reject(format, refEnd + 1, 'bad_layout', 'expected \' "<user agent>"\' after the referrer');
  }
  const uaEnd = closingQuote(line, uaStart);
  if (uaEnd === -1) {
    const userAgent = dashOrText(unquote(line, uaStart, blankEnd(line)));
    return { ok: true, referrer, userAgent, uaEnd: line.length, damage: 'unterminated:user_agent' };
  }
  return { ok: true, referrer, userAgent: dashOrText(unquote(line, uaStart, uaEnd)), uaEnd, damage: null };
}

/**
 * The hit of a combined-shaped line whose fields are in `f` and tail in `tail`, with what the fields
 * after the user agent hold. `vhost` is vcombined's prefix.
 */
export function combinedHit(
  line: string,
  format: FormatName,
  f: ClfFields,
  tail: CombinedTail,
  vhost: string | null,
): FormatResult {
  const from = tail.uaEnd + 1;
  if (isBlankFrom(line, from)) {
    const more = vhost === null && tail.damage === null ? undefined : { vhost, damage: tail.damage };
    return { ok: true, hit: clfHit(format, f, false, tail.referrer, tail.userAgent, null, more) };
  }
  const read = readTrailingFields(line, from, blankEnd(line));
  const more = {
    forwarded: read.forwarded ?? undefined,
    vhost: vhost ?? read.host,
    requestTimeMs: read.requestTimeMs,
    extra: read.extra,
    damage: read.damage,
  };
  return { ok: true, hit: clfHit(format, f, false, tail.referrer, tail.userAgent, null, more) };
}

/** Parses one combined-format line. Never throws. */
export function parseCombined(line: string): FormatResult {
  const scan = scanClf(line, 'combined', fields);
  if (!scan.ok) return scan;
  const tail = scanCombinedTail(line, 'combined', fields);
  if (!tail.ok) return tail;
  return combinedHit(line, 'combined', fields, tail, null);
}
