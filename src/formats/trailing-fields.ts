/**
 * The fields people append to `combined` (nginx's `log_format` is free): `"$http_x_forwarded_for"`,
 * `rt=$request_time uct="$upstream_connect_time"`, a bare `$request_time`, `$host`, `$upstream_addr`…
 *
 * They are read one by one, left to right: a quoted field (to its closing quote), a named field
 * `name=value` or `name="value"`, or a bare token (to the next blank). Nothing here rejects a line:
 * the request, status and time were read before, so the worst a strange field can do is stay
 * unread. What is read:
 * - a first field that is quoted and `-` or an address list: nginx `main`'s X-Forwarded-For;
 * - named fields: `rt=`/`request_time=` (seconds) → the request time; any other name → `extra[name]`
 *   (a `-` value, nginx's "none", is left out);
 * - unnamed fields are kept as written, in order, in `extra.trailing`. Three shapes among them are
 *   unambiguous enough to read as well (the text stays in `trailing`, since a position is a guess):
 *   the first number with exactly three decimals (how nginx writes `$request_time`) → the request
 *   time; the first host name with a letter top-level label (`$host`, `example.com:443`) → the vhost;
 *   the first address with a port or a `unix:` socket (`$upstream_addr`, with its `, `-separated
 *   retries) → `extra.upstream_addr`.
 * A quoted field cut by the end of the line (the writer stopped mid-field) keeps what is there and
 * is named in `damage`.
 */
import { secondsToMs } from './durations.js';
import { addressOf, isAddressList, parseForwardedFor, type ForwardedFor } from './forwarded.js';
import { closingQuote, unquote } from './quoted.js';

/** What the fields after the user agent held. */
export interface TrailingFields {
  readonly forwarded: ForwardedFor | null;
  readonly requestTimeMs: number | null;
  readonly host: string | null;
  /** Named fields, `upstream_addr`, and the unnamed fields as written in `trailing`. */
  readonly extra: Record<string, string> | null;
  readonly damage: string | null;
}

const QUOTE = 34;
const EQUALS = 61;

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/** The index just past the last non-blank character of `line`. */
export function blankEnd(line: string): number {
  let end = line.length;
  while (end > 0 && isBlank(line.charCodeAt(end - 1))) end--;
  return end;
}

// A field name as nginx users write them: `rt`, `upstream_response_time`, `cache-status`.
function isNameChar(c: number): boolean {
  return ((c | 32) >= 97 && (c | 32) <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}

/** The index of the `=` that ends a field name starting at `start`, or -1. */
function nameEnd(line: string, start: number, end: number): number {
  let p = start;
  while (p < end && isNameChar(line.charCodeAt(p))) p++;
  return p > start && p < end && line.charCodeAt(p) === EQUALS ? p : -1;
}

/** `0.004`, `12.345`: seconds with milliseconds, as nginx writes `$request_time`. */
function isNginxSeconds(value: string): boolean {
  const dot = value.length - 4;
  if (dot < 1 || value.charCodeAt(dot) !== 46) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (i !== dot && (c < 48 || c > 57)) return false;
  }
  return true;
}

/** A host name with an optional port whose last label is letters: never a number or an address. */
function hostOf(value: string): string | null {
  const colon = value.lastIndexOf(':');
  const name = colon === -1 ? value : value.slice(0, colon);
  if (colon !== -1 && !/^\d{1,5}$/.test(value.slice(colon + 1))) return null;
  if (
    name.length > 253 ||
    !/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.([A-Za-z]{2,63}|xn--[A-Za-z0-9-]+)$/.test(name)
  ) {
    return null;
  }
  return value.toLowerCase();
}

/** `10.0.0.5:8080`, `[2001:db8::1]:80` or `unix:/run/php.sock`: what nginx writes in `$upstream_addr`. */
function isUpstreamAddress(token: string): boolean {
  if (token.startsWith('unix:')) return token.length > 5;
  const colon = token.lastIndexOf(':');
  if (colon === -1 || !/^\d{1,5}$/.test(token.slice(colon + 1))) return false;
  return token.charCodeAt(0) === 91 ? token.charCodeAt(colon - 1) === 93 : token.indexOf(':') === colon;
}

/** Reads the fields of `line[from, end)` (`end` past its last non-blank character). Never throws. */
export function readTrailingFields(line: string, from: number, end: number): TrailingFields {
  let forwarded: ForwardedFor | null = null;
  let requestTimeMs: number | null = null;
  let host: string | null = null;
  let extra: Record<string, string> | null = null;
  let damage: string | null = null;
  let trailing = '';
  let upstream: string | null = null;
  // The last upstream address ended with `,`: the next token is another one of the same list.
  let upstreamGoesOn = false;
  let first = true;
  let p = from;
  while (p < end) {
    const c = line.charCodeAt(p);
    if (isBlank(c)) {
      p++;
      continue;
    }
    let value: string;
    let fieldEnd: number;
    let name: string | null = null;
    const eq = c === QUOTE ? -1 : nameEnd(line, p, end);
    const quoteAt = c === QUOTE ? p : eq !== -1 && line.charCodeAt(eq + 1) === QUOTE ? eq + 1 : -1;
    if (quoteAt !== -1) {
      const close = closingQuote(line, quoteAt + 1);
      if (close === -1 || close >= end) {
        damage = 'unterminated:extra';
        value = unquote(line, quoteAt + 1, end);
        fieldEnd = end;
      } else {
        value = unquote(line, quoteAt + 1, close);
        fieldEnd = close + 1;
      }
    } else {
      fieldEnd = p;
      while (fieldEnd < end && !isBlank(line.charCodeAt(fieldEnd))) fieldEnd++;
      value = line.slice(eq === -1 ? p : eq + 1, fieldEnd);
    }
    if (eq !== -1) name = line.slice(p, eq);

    if (first && c === QUOTE && (value === '-' || isAddressList(value))) {
      forwarded = parseForwardedFor(value);
    } else if (name !== null) {
      const seconds = name === 'rt' || name === 'request_time' ? secondsToMs(value) : null;
      if (seconds !== null) requestTimeMs ??= seconds;
      else if (value !== '-' && value !== '') (extra ??= {})[name] = value;
    } else {
      trailing += trailing === '' ? line.slice(p, fieldEnd) : ` ${line.slice(p, fieldEnd)}`;
      if (c !== QUOTE) {
        const token = value.endsWith(',') ? value.slice(0, -1) : value;
        if (upstreamGoesOn && isUpstreamAddress(token)) {
          upstream += ` ${value}`;
          upstreamGoesOn = value !== token;
        } else {
          upstreamGoesOn = false;
          if (
            upstream === null &&
            isUpstreamAddress(token) &&
            (token.startsWith('unix:') || addressOf(token))
          ) {
            upstream = value;
            upstreamGoesOn = value !== token;
          } else if (requestTimeMs === null && isNginxSeconds(value)) requestTimeMs = secondsToMs(value);
        }
      }
      if (host === null) host = hostOf(value);
    }
    first = false;
    p = fieldEnd;
  }
  if (upstream !== null)
    (extra ??= {}).upstream_addr = upstream.endsWith(',') ? upstream.slice(0, -1) : upstream;
  if (trailing !== '') (extra ??= {}).trailing = trailing;
  return { forwarded, requestTimeMs, host, extra, damage };
}
