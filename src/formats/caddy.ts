/**
 * `caddy`: Caddy v2's JSON access log, `{"level":"info","ts":…,"logger":"http.log.access…",
 * "msg":"handled request","request":{"remote_ip":…,"client_ip":…,"proto":…,"method":…,"host":…,
 * "uri":…,"headers":{…},"tls":{…}},"user_id":…,"duration":…,"size":…,"status":…,…}`.
 * `ts` may be epoch seconds (the default) or text (the `time_format` option); `duration` is seconds.
 * The client is `client_ip` (Caddy ≥ 2.7, which honours trusted proxies), else `remote_ip`.
 */
import type { ParsedHit } from '../domain/index.js';
import { parseForwardedFor } from './forwarded.js';
import { bytesOf, statusOf, textOf, timeOf } from './json-values.js';
import { parseJsonObject } from './lenient-json.js';
import { reject, type FormatResult } from './reject.js';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// Header values are arrays of strings; names are compared case-insensitively.
function header(headers: unknown, name: string): string | null {
  if (!isObject(headers)) return null;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue;
    const value = headers[key];
    return Array.isArray(value) ? textOf(value.map(String).join(', ')) : textOf(value);
  }
  return null;
}

/** Parses one Caddy access-log line. Never throws. */
export function parseCaddy(line: string): FormatResult {
  let start = 0;
  while (line.charCodeAt(start) === 32 || line.charCodeAt(start) === 9) start++;
  if (line.charCodeAt(start) !== 123) return reject('caddy', 0, 'bad_json', 'expected a JSON object "{…}"');
  const parsed = parseJsonObject(line);
  if (!parsed.ok) return reject('caddy', 1, 'bad_json', parsed.reason);
  const log = parsed.value;
  const request = log.request;
  if (!isObject(request)) return reject('caddy', 2, 'bad_request', 'no "request" object');
  const method = textOf(request.method);
  const uri = textOf(request.uri);
  if (method === null || uri === null)
    return reject('caddy', 3, 'bad_request', '"request" has no "method" and "uri"');
  const time = timeOf(log.ts);
  if (typeof time === 'string') return reject('caddy', 4, 'bad_time', `"ts": ${time}`);
  const status = statusOf(log.status);
  if (status < 0) return reject('caddy', 5, 'bad_status', 'no "status" with a status code');
  const bytes = bytesOf(log.size);
  if (bytes < 0) return reject('caddy', 6, 'bad_size', 'bad "size"');

  const forwarded = parseForwardedFor(header(request.headers, 'x-forwarded-for'));
  const duration = typeof log.duration === 'number' ? log.duration : Number(textOf(log.duration) ?? NaN);
  let extra: Record<string, string> | null = null;
  const keep = (key: string, value: unknown): void => {
    const text = textOf(value);
    if (text !== null) (extra ??= {})[key] = text;
  };
  keep('logger', log.logger);
  keep('remote_ip', request.client_ip !== undefined ? request.remote_ip : undefined);
  keep('remote_port', request.remote_port);
  keep('bytes_read', log.bytes_read);
  if (isObject(request.tls)) keep('tls_server_name', request.tls.server_name ?? '');

  const hit: ParsedHit = {
    format: 'caddy',
    ip: textOf(request.client_ip) ?? textOf(request.remote_ip),
    forwardedFor: forwarded.chain,
    session: null,
    user: textOf(log.user_id),
    time,
    method,
    target: uri,
    httpVersion: textOf(request.proto),
    status,
    bytes,
    referrer: header(request.headers, 'referer'),
    userAgent: header(request.headers, 'user-agent'),
    vhost: textOf(request.host),
    requestTimeMs: Number.isFinite(duration) && duration >= 0 ? Math.round(duration * 1e6) / 1000 : null,
    extra,
    damage: null,
  };
  return { ok: true, hit };
}
