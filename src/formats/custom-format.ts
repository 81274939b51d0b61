/**
 * `custom`: lines of a format the user describes, as an nginx `log_format` or an Apache `LogFormat`
 * string. Both compile (nginx-log-format.ts, apache-log-format.ts) to the same program, a list of
 * literal text and fields, matched here left to right: a field runs to the next occurrence of the
 * literal after it (to the closing quote when the literal around it is a quote, so escaped quotes do
 * not end it), or to the end of the line. Fields with a column of their own fill it; any other
 * variable is kept in `extra` under its name. A time and a status are required at compile time.
 */
import type { LogTime, ParsedHit } from '../domain/index.js';
import { parseClfTime } from './clf-time.js';
import { microsToMs, millisToMs, secondsToMs } from './durations.js';
import { parseForwardedFor } from './forwarded.js';
import { parseEpochSeconds, parseIsoTime } from './iso-time.js';
import { closingQuote, unquote } from './quoted.js';
import { quote, reject, type FormatResult } from './reject.js';
import { splitRequest, type RequestParts } from './request-line.js';

/** What a field of a custom format fills. */
export type FieldRole =
  | 'ip'
  | 'ident'
  | 'user'
  | 'timeClf'
  | 'timeIso'
  | 'timeEpoch'
  | 'timeEpochMs'
  | 'request'
  | 'method'
  | 'target'
  | 'path'
  | 'query'
  | 'protocol'
  | 'status'
  | 'bytes'
  | 'referrer'
  | 'userAgent'
  | 'forwardedFor'
  | 'requestTimeSec'
  | 'requestTimeMs'
  | 'requestTimeUs'
  | 'upstreamTimeSec'
  | 'vhost'
  | 'extra';

/** One piece of a compiled format: literal text, or a field with its role and its name in `extra`. */
export type Segment =
  | { readonly literal: string }
  | { readonly role: FieldRole; readonly name: string; readonly quoted: boolean };

/** A compiled custom format. */
export interface CustomFormat {
  readonly syntax: 'nginx' | 'apache';
  /** The format string as the user gave it. */
  readonly spec: string;
  readonly segments: readonly Segment[];
  /** Parses one line of this format. Never throws. */
  readonly parse: (line: string) => FormatResult;
}

/** A compiled custom format, or why the spec cannot be one: the shape of every result here. */
export type CompileResult =
  { readonly ok: true; readonly format: CustomFormat } | { readonly ok: false; readonly reason: string };

/** The failure of a compile, with its reason. */
export const refuse = (reason: string): CompileResult => ({ ok: false, reason });

const TIME_ROLES: readonly FieldRole[] = ['timeClf', 'timeIso', 'timeEpoch', 'timeEpochMs'];

/** Merges adjacent literals, marks quoted fields, and checks what the format must have. */
export function buildFormat(
  syntax: 'nginx' | 'apache',
  spec: string,
  pieces: readonly Segment[],
): CompileResult {
  const segments: Segment[] = [];
  for (const piece of pieces) {
    const last = segments.at(-1);
    if ('literal' in piece && last && 'literal' in last)
      segments[segments.length - 1] = { literal: last.literal + piece.literal };
    else if ('literal' in piece && piece.literal === '') continue;
    else segments.push(piece);
  }
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as Segment;
    if ('literal' in s) continue;
    const before = segments[i - 1];
    const after = segments[i + 1];
    // A path directly followed by its query (`%U%q`, `$uri$is_args$args`) splits at the `?`.
    const pathQuery = s.role === 'path' && after !== undefined && 'role' in after && after.role === 'query';
    if (after && !('literal' in after) && !pathQuery) {
      return refuse(`${s.name} and ${after.name} have no text between them, so they cannot be told apart`);
    }
    const quoted =
      !!before &&
      'literal' in before &&
      before.literal.endsWith('"') &&
      !!after &&
      'literal' in after &&
      after.literal.startsWith('"');
    segments[i] = { ...s, quoted };
  }
  const roles = new Set(segments.flatMap((s) => ('role' in s ? [s.role] : [])));
  if (!TIME_ROLES.some((r) => roles.has(r))) return refuse('the format has no time variable');
  if (!roles.has('status')) return refuse('the format has no status variable');
  const compiled = { syntax, spec, segments };
  return { ok: true, format: { ...compiled, parse: (line: string) => matchFormat(compiled, line) } };
}

function timeOf(role: FieldRole, value: string): LogTime | string {
  if (role === 'timeClf') return parseClfTime(value.charCodeAt(0) === 91 ? value.slice(1, -1) : value);
  if (role === 'timeIso') return parseIsoTime(value);
  if (role === 'timeEpochMs') {
    return /^\d{1,14}$/.test(value)
      ? parseEpochSeconds(`${value.slice(0, -3) || '0'}.${value.slice(-3)}`)
      : 'bad epoch time';
  }
  return parseEpochSeconds(value);
}

const parts: RequestParts = { method: null, target: null, httpVersion: null };

function matchFormat(format: Omit<CustomFormat, 'parse'>, line: string): FormatResult {
  const { segments } = format;
  const values = new Map<FieldRole, string>();
  let extra: Record<string, string> | null = null;
  let p = 0;
  const end = line.charCodeAt(line.length - 1) === 13 ? line.length - 1 : line.length;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as Segment;
    if ('literal' in s) {
      if (!line.startsWith(s.literal, p)) {
        return reject(
          'custom',
          p,
          'bad_layout',
          `expected ${quote(s.literal)} at ${p}, got ${quote(line, p, p + 20)}`,
        );
      }
      p += s.literal.length;
      continue;
    }
    const next = segments[i + 1];
    let stop: number;
    if (next === undefined) stop = end;
    else if ('role' in next) {
      const after = segments[i + 2] as { literal: string } | undefined;
      const fieldEnd = after === undefined ? end : line.indexOf(after.literal, p);
      const mark = line.indexOf('?', p);
      stop = mark !== -1 && (fieldEnd === -1 || mark < fieldEnd) ? mark : fieldEnd;
    } else {
      stop = s.quoted ? closingQuote(line, p) : -1;
      if (stop === -1 || !line.startsWith(next.literal, stop)) stop = line.indexOf(next.literal, p);
    }
    if (stop === -1 || stop > end)
      return reject('custom', p, 'unterminated_field', `unterminated ${s.name} ${quote(line, p)}`);
    const raw = s.quoted ? unquote(line, p, stop) : line.slice(p, stop);
    p = stop;
    if (raw === '-' || raw === '') continue;
    // The upstream time is kept whole in `extra` too: it only stands for the request time without one.
    const keep =
      s.role === 'extra' || s.role === 'ident' || s.role === 'upstreamTimeSec' || values.has(s.role);
    if (keep) (extra ??= {})[s.role === 'ident' ? 'ident' : s.name] = raw;
    if (s.role !== 'extra' && s.role !== 'ident' && !values.has(s.role)) values.set(s.role, raw);
  }
  if (p < end) return reject('custom', p, 'bad_layout', `unexpected text at the end: ${quote(line, p)}`);

  let time: LogTime | string = 'no time';
  for (const role of TIME_ROLES) {
    const v = values.get(role);
    if (v !== undefined) {
      time = timeOf(role, v);
      break;
    }
  }
  if (typeof time === 'string') return reject('custom', 0, 'bad_time', time);
  const statusText = values.get('status') ?? '';
  if (!/^\d{1,3}$/.test(statusText))
    return reject('custom', 0, 'bad_status', `bad status ${quote(statusText)}`);
  const bytesText = values.get('bytes');
  if (bytesText !== undefined && !/^\d{1,16}$/.test(bytesText))
    return reject('custom', 0, 'bad_size', `bad size ${quote(bytesText)}`);

  const request = values.get('request');
  let method = values.get('method') ?? null;
  let target = values.get('target') ?? null;
  let httpVersion = values.get('protocol') ?? null;
  if (request !== undefined) {
    splitRequest(request, parts);
    if (parts.method === null) (extra ??= {}).request = request;
    method ??= parts.method;
    target ??= parts.target;
    httpVersion ??= parts.httpVersion;
  }
  if (target === null) {
    const path = values.get('path');
    let query = values.get('query') ?? null;
    if (query !== null && query.charCodeAt(0) === 63) query = query.slice(1);
    if (path !== undefined) target = query ? `${path}?${query}` : path;
  }
  const forwarded = parseForwardedFor(values.get('forwardedFor') ?? null);
  let ip = values.get('ip') ?? null;
  if (forwarded.client !== null) {
    if (ip !== null) (extra ??= {}).remote_addr = ip;
    ip = forwarded.client;
  }
  const requestTimeMs =
    secondsToMs(values.get('requestTimeSec') ?? null) ??
    millisToMs(values.get('requestTimeMs') ?? null) ??
    microsToMs(values.get('requestTimeUs') ?? null) ??
    secondsToMs(values.get('upstreamTimeSec') ?? null);
  const hit: ParsedHit = {
    format: 'custom',
    ip,
    forwardedFor: forwarded.chain,
    session: null,
    user: values.get('user') ?? null,
    time,
    method,
    target,
    httpVersion,
    status: Number(statusText),
    bytes: bytesText === undefined ? 0 : Number(bytesText),
    referrer: values.get('referrer') ?? null,
    userAgent: values.get('userAgent') ?? null,
    vhost: values.get('vhost') ?? null,
    requestTimeMs,
    extra,
    damage: null,
  };
  return { ok: true, hit };
}
