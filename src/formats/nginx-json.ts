/**
 * `nginx-json`: one JSON object per line, as an nginx `log_format … escape=json '{…}'` writes it, or
 * with nginx's default escaping (`\xHH`, not valid JSON; see lenient-json.ts). Users name the keys, so
 * each field is looked up under the names people use (`remote_addr`, `remoteAddr`, `client_ip`…;
 * case, `_`, `-` and `@` do not matter). A time, a status and a request (`request`, or a method and a
 * URI) are required; every other key is kept in `extra`.
 */
import type { ParsedHit } from '../domain/index.js';
import { secondsToMs } from './durations.js';
import { parseForwardedFor } from './forwarded.js';
import { bytesOf, statusOf, textOf, timeOf } from './json-values.js';
import { parseJsonObject } from './lenient-json.js';
import { reject, type FormatResult } from './reject.js';
import { splitRequest, type RequestParts } from './request-line.js';

/** Field → the keys it is read from, in order of preference (normalised: lower case, letters and digits). */
const ALIASES = {
  time: ['timelocal', 'timeiso8601', 'timestamp', 'time', 'msec', 'date', 'ts'],
  ip: ['remoteaddr', 'clientip', 'remoteip', 'ip', 'client', 'realipremoteaddr'],
  forwardedFor: ['httpxforwardedfor', 'xforwardedfor', 'forwardedfor', 'xff'],
  user: ['remoteuser', 'user', 'username'],
  request: ['request', 'requestline'],
  method: ['requestmethod', 'method'],
  requestUri: ['requesturi'],
  uri: ['uri', 'path'],
  query: ['args', 'querystring', 'query'],
  protocol: ['serverprotocol', 'protocol', 'httpversion'],
  status: ['status', 'statuscode'],
  bytes: ['bodybytessent', 'bytessent', 'size', 'bytes'],
  referrer: ['httpreferer', 'httpreferrer', 'referer', 'referrer'],
  userAgent: ['httpuseragent', 'useragent', 'agent'],
  requestTime: ['requesttime', 'duration'],
  upstreamTime: ['upstreamresponsetime'],
  vhost: ['host', 'httphost', 'servername', 'vhost'],
} as const;
type Field = keyof typeof ALIASES;

// Keys repeat on every line of a source: their normal forms are remembered (a bounded few).
const NORMAL_FORMS = new Map<string, string>();
const MAX_NORMAL_FORMS = 4096;

function normalise(key: string): string {
  const known = NORMAL_FORMS.get(key);
  if (known !== undefined) return known;
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i) | 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) out += String.fromCharCode(c);
  }
  if (NORMAL_FORMS.size < MAX_NORMAL_FORMS) NORMAL_FORMS.set(key, out);
  return out;
}

const requestParts: RequestParts = { method: null, target: null, httpVersion: null };

/** Parses one nginx JSON line. Never throws. */
export function parseNginxJson(line: string): FormatResult {
  let start = 0;
  while (line.charCodeAt(start) === 32 || line.charCodeAt(start) === 9) start++;
  if (line.charCodeAt(start) !== 123)
    return reject('nginx-json', 0, 'bad_json', 'expected a JSON object "{…}"');
  const parsed = parseJsonObject(line);
  if (!parsed.ok) return reject('nginx-json', 1, 'bad_json', parsed.reason);
  const object = parsed.value;

  const byNormal = new Map<string, string>();
  for (const key of Object.keys(object)) {
    const n = normalise(key);
    if (!byNormal.has(n)) byNormal.set(n, key);
  }
  const used = new Set<string>();
  const raw = (field: Field): unknown => {
    for (const alias of ALIASES[field]) {
      const key = byNormal.get(alias);
      if (key !== undefined && object[key] !== undefined && object[key] !== null) {
        used.add(key);
        return object[key];
      }
    }
    return undefined;
  };
  const text = (field: Field): string | null => textOf(raw(field));

  const timeValue = raw('time');
  if (timeValue === undefined)
    return reject('nginx-json', 2, 'bad_time', 'no time key ("time_local", "time_iso8601"…)');
  const time = timeOf(timeValue);
  if (typeof time === 'string') return reject('nginx-json', 3, 'bad_time', time);
  const status = statusOf(raw('status'));
  if (status < 0) return reject('nginx-json', 4, 'bad_status', 'no "status" key with a status code');
  if (typeof raw('request') === 'object') {
    // Caddy's object-valued "request": not nginx's request line.
    return reject('nginx-json', 5, 'bad_request', '"request" is an object (a Caddy log?)');
  }

  let method: string | null;
  let target: string | null;
  let httpVersion: string | null;
  const request = text('request');
  let extra: Record<string, string> | null = null;
  if (request !== null) {
    splitRequest(request, requestParts);
    ({ method, target, httpVersion } = requestParts);
    if (method === null) extra = { request };
  } else {
    method = text('method');
    const uri = text('requestUri') ?? text('uri');
    const query = text('query');
    if (method === null || uri === null) {
      return reject(
        'nginx-json',
        5,
        'bad_request',
        'no "request" key, nor "request_method" and "request_uri"',
      );
    }
    target = query === null || uri.includes('?') ? uri : `${uri}?${query}`;
    httpVersion = text('protocol');
  }
  const bytes = bytesOf(raw('bytes'));
  if (bytes < 0) return reject('nginx-json', 6, 'bad_size', 'bad byte count');

  const forwarded = parseForwardedFor(text('forwardedFor'));
  let ip = text('ip');
  if (forwarded.client !== null) {
    if (ip !== null) (extra ??= {}).remote_addr = ip;
    ip = forwarded.client;
  }
  const hit: ParsedHit = {
    format: 'nginx-json',
    ip,
    forwardedFor: forwarded.chain,
    session: null,
    user: text('user'),
    time,
    method,
    target,
    httpVersion: httpVersion ?? null,
    status,
    bytes,
    referrer: text('referrer'),
    userAgent: text('userAgent'),
    vhost: text('vhost'),
    requestTimeMs: secondsToMs(text('requestTime')) ?? secondsToMs(text('upstreamTime')),
    extra: null,
    damage: null,
  };
  for (const key of Object.keys(object)) {
    if (used.has(key)) continue;
    const value = textOf(object[key]);
    if (value !== null) (extra ??= {})[key] = value;
  }
  return { ok: true, hit: { ...hit, extra } };
}
