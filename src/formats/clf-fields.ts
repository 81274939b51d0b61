/**
 * The fields the Common Log Format family shares: `host ident user [time] "request" status bytes`.
 *
 * `proxy`, `common` and `combined` all start this way and differ only in what follows the size, so
 * they share this scanner and each checks its own tail. The scan is by hand, left to right, with
 * indexOf: linear on any input, no regex backtracking. Fields are written into a caller-owned
 * `ClfFields` so that a line costs no allocation beyond the strings and the hit it produces.
 * The user is one token, as Apache and nginx write it: a name with a space rejects the line rather
 * than shifting every field after it.
 */
import type { FormatName, LogTime, ParsedHit } from '../domain/index.js';
import { CLF_TIME_MAX_LENGTH, parseClfTime } from './clf-time.js';
import type { ForwardedFor } from './forwarded.js';
import { closingQuote, isSeparator, unquote } from './quoted.js';
import { quote, reject, tokenEnd, type Rejection } from './reject.js';
import { splitRequest, type RequestParts } from './request-line.js';

/** What `scanClf` read; `-` fields are null. Reused from line to line by its owner. */
export interface ClfFields extends RequestParts {
  ip: string;
  ident: string | null;
  user: string | null;
  time: LogTime;
  /** The request field, unescaped; kept when it is not an HTTP request line. */
  request: string;
  status: number;
  bytes: number;
  /** Index just past the size field: where a format's own tail starts. */
  end: number;
  /** `missing:ident_user` when the line had no ident and user fields; else null. */
  damage: string | null;
}

/** A blank `ClfFields` for a format to reuse across lines. */
export function createClfFields(): ClfFields {
  return {
    ip: '',
    ident: null,
    user: null,
    time: { epochMs: 0, offsetMinutes: 0 },
    request: '',
    method: null,
    target: null,
    httpVersion: null,
    status: 0,
    bytes: 0,
    end: 0,
    damage: null,
  };
}

function dashToNull(line: string, start: number, end: number): string | null {
  return end - start === 1 && line.charCodeAt(start) === 45 ? null : line.slice(start, end);
}

/** `scanClf` read every field into its `out`; one shared object, as a line costs no allocation. */
const SCANNED: { readonly ok: true } = Object.freeze({ ok: true });

/**
 * Reads the shared fields of `line`, from `start` on (past a vhost prefix), into `out`. Returns
 * `{ ok: true }`, or the rejection naming the first field that failed (reasons are prefixed with `format`).
 */
export function scanClf(
  line: string,
  format: FormatName,
  out: ClfFields,
  start = 0,
): { readonly ok: true } | Rejection {
  const sp1 = line.indexOf(' ', start);
  if (sp1 <= start) {
    return reject(format, start, 'bad_time', 'expected "<client> <ident> <user> [<time>]" at the start');
  }
  // `<client> [<time>]`: a writer that left out the ident and user fields, where `- -` belongs.
  const noIdent = line.charCodeAt(sp1 + 1) === 91;
  const sp2 = noIdent ? sp1 : line.indexOf(' ', sp1 + 1);
  if (!noIdent && sp2 <= sp1 + 1) {
    return reject(format, sp1 + 1, 'bad_layout', 'missing ident field after the client address');
  }
  const sp3 = noIdent ? sp1 : line.indexOf(' ', sp2 + 1);
  if (!noIdent && sp3 <= sp2 + 1)
    return reject(format, sp2 + 1, 'bad_layout', 'missing user field after the ident');
  if (line.charCodeAt(sp3 + 1) !== 91) {
    return reject(
      format,
      sp3 + 1,
      'bad_time',
      `expected "[" before the time, got ${quote(line, sp3 + 1, sp3 + 21)}`,
    );
  }
  const timeStart = sp3 + 2;
  const close = line.indexOf(']', timeStart);
  if (close === -1 || close - timeStart > CLF_TIME_MAX_LENGTH) {
    return reject(
      format,
      timeStart,
      'unterminated_field',
      `unterminated time ${quote(line, timeStart, timeStart + CLF_TIME_MAX_LENGTH)}`,
    );
  }
  const time = parseClfTime(line, timeStart, close);
  if (typeof time === 'string')
    return reject(format, timeStart, 'bad_time', `${time} in ${quote(line, timeStart, close)}`);
  if (line.charCodeAt(close + 1) !== 32 || line.charCodeAt(close + 2) !== 34) {
    return reject(format, close + 1, 'bad_time', "expected ' \"' after the time");
  }
  const reqStart = close + 3;
  const reqEnd = closingQuote(line, reqStart);
  if (reqEnd === -1)
    return reject(format, reqStart, 'unterminated_field', `unterminated request ${quote(line, reqStart)}`);

  const statusStart = reqEnd + 2;
  const s0 = line.charCodeAt(statusStart) - 48;
  const s1 = line.charCodeAt(statusStart + 1) - 48;
  const s2 = line.charCodeAt(statusStart + 2) - 48;
  if (
    line.charCodeAt(reqEnd + 1) !== 32 ||
    !(s0 >= 1 && s0 <= 9 && s1 >= 0 && s1 <= 9 && s2 >= 0 && s2 <= 9) ||
    line.charCodeAt(statusStart + 3) !== 32
  ) {
    return reject(
      format,
      statusStart,
      'bad_status',
      `bad status ${quote(line, statusStart, tokenEnd(line, statusStart))}`,
    );
  }

  const bytesStart = statusStart + 4;
  let p = bytesStart;
  let bytes = 0;
  if (line.charCodeAt(p) === 45) {
    p++;
  } else {
    for (let d = line.charCodeAt(p) - 48; d >= 0 && d <= 9; d = line.charCodeAt(++p) - 48) {
      bytes = bytes * 10 + d;
      if (bytes > Number.MAX_SAFE_INTEGER) break;
    }
  }
  if (p === bytesStart || !isSeparator(line.charCodeAt(p)) || bytes > Number.MAX_SAFE_INTEGER) {
    return reject(
      format,
      bytesStart,
      'bad_size',
      `bad size ${quote(line, bytesStart, tokenEnd(line, bytesStart))}`,
    );
  }

  out.ip = line.slice(start, sp1);
  out.ident = noIdent ? null : dashToNull(line, sp1 + 1, sp2);
  out.user = noIdent ? null : dashToNull(line, sp2 + 1, sp3);
  out.damage = noIdent ? 'missing:ident_user' : null;
  out.time = time;
  out.request = unquote(line, reqStart, reqEnd);
  splitRequest(out.request, out);
  out.status = s0 * 100 + s1 * 10 + s2;
  out.bytes = bytes;
  out.end = p;
  return SCANNED;
}

/** What a format adds to the shared fields of its hit. */
export interface ClfHitMore {
  /** An X-Forwarded-For chain: its client becomes the hit's address, the peer is kept in `extra.remote_addr`. */
  readonly forwarded?: ForwardedFor;
  readonly vhost?: string | null;
  readonly requestTimeMs?: number | null;
  /** Fields of the format's own, merged into `extra`. */
  readonly extra?: Readonly<Record<string, string>> | null;
  /** What the line lacked (see `ParsedHit.damage`). */
  readonly damage?: string | null;
}

/**
 * Builds the hit from scanned fields. `identIsSession` is the proxy format's reading of the second
 * field; other formats keep a non-`-` ident in `extra.ident`. A request that is not an HTTP request
 * line is kept whole in `extra.request`; extra trailing fields in `extra.trailing`.
 */
export function clfHit(
  format: FormatName,
  f: ClfFields,
  identIsSession: boolean,
  referrer: string | null,
  userAgent: string | null,
  trailing: string | null,
  more?: ClfHitMore,
): ParsedHit {
  let extra: Record<string, string> | null = null;
  if (!identIsSession && f.ident !== null) extra = { ident: f.ident };
  if (f.method === null) (extra ??= {}).request = f.request;
  if (trailing !== null) (extra ??= {}).trailing = trailing;
  let ip = f.ip;
  if (more?.forwarded?.client) {
    (extra ??= {}).remote_addr = ip;
    ip = more.forwarded.client;
  }
  if (more?.extra) extra = { ...extra, ...more.extra };
  return {
    format,
    ip,
    forwardedFor: more?.forwarded?.chain ?? null,
    session: identIsSession ? f.ident : null,
    user: f.user,
    time: f.time,
    method: f.method,
    target: f.target,
    httpVersion: f.httpVersion,
    status: f.status,
    bytes: f.bytes,
    referrer,
    userAgent,
    vhost: more?.vhost ?? null,
    requestTimeMs: more?.requestTimeMs ?? null,
    extra,
    damage:
      f.damage === null ? (more?.damage ?? null) : more?.damage ? `${f.damage},${more.damage}` : f.damage,
  };
}
