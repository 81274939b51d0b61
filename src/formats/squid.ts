/**
 * `squid`: Squid's native access log,
 * `time elapsed remotehost code/status bytes method URL rfc931 peerstatus/peerhost type`, e.g.
 * `1286536309.450    235 10.0.0.12 TCP_MISS/200 18932 GET http://www.example.com/ - HIER_DIRECT/… text/html`.
 * The time is epoch seconds (UTC), the elapsed time milliseconds; columns are padded with spaces.
 * Status `000` (no reply was sent) is kept as 0. Squid's result code, hierarchy and content type go
 * to `extra`.
 */
import type { ParsedHit } from '../domain/index.js';
import { parseEpochSeconds } from './iso-time.js';
import { reject, type FormatResult } from './reject.js';
import { splitFields } from './tokens.js';

const MIN_FIELDS = 7;
const EXTRA_NAMES = ['squid_code', 'hierarchy', 'content_type'];

/** Parses one Squid native line. Never throws. */
export function parseSquid(line: string): FormatResult {
  const first = line.charCodeAt(0);
  if (!(first >= 48 && first <= 57)) return reject('squid', 0, 'bad_time', 'expected epoch seconds first');
  const f = splitFields(line);
  if (f === null || f.length < MIN_FIELDS)
    return reject('squid', 1, 'bad_layout', `expected at least ${MIN_FIELDS} fields`);
  const [timeText, elapsed, host, codeStatus, bytesText, method, url] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const time = parseEpochSeconds(timeText);
  if (typeof time === 'string') return reject('squid', 1, 'bad_time', time);
  if (!/^\d{1,10}$/.test(elapsed))
    return reject('squid', 2, 'bad_time', `bad elapsed time ${JSON.stringify(elapsed.slice(0, 12))}`);
  const slash = codeStatus.lastIndexOf('/');
  const statusText = codeStatus.slice(slash + 1);
  if (slash < 1 || !/^\d{3}$/.test(statusText)) {
    return reject(
      'squid',
      3,
      'bad_status',
      `expected "<result code>/<status>", got ${JSON.stringify(codeStatus.slice(0, 30))}`,
    );
  }
  if (!/^\d{1,16}$/.test(bytesText))
    return reject('squid', 4, 'bad_size', `bad size ${JSON.stringify(bytesText.slice(0, 20))}`);
  if (!/^[A-Za-z_-]{1,20}$/.test(method))
    return reject('squid', 5, 'bad_request', `bad method ${JSON.stringify(method.slice(0, 20))}`);

  const extra: Record<string, string> = { squid_code: codeStatus.slice(0, slash) };
  const rest = f.slice(8);
  for (let i = 0; i < rest.length; i++) {
    const value = rest[i] as string;
    if (value !== '-' && value !== '') extra[EXTRA_NAMES[i + 1] ?? `field_${i + 9}`] = value;
  }
  const user = f[7];
  const hit: ParsedHit = {
    format: 'squid',
    ip: host,
    forwardedFor: null,
    session: null,
    user: user === undefined || user === '-' ? null : user,
    time,
    method: method === 'NONE' || method === '-' ? null : method,
    target: url === '-' || url === 'error:invalid-request' ? null : url,
    httpVersion: null,
    status: Number(statusText),
    bytes: Number(bytesText),
    referrer: null,
    userAgent: null,
    vhost: null,
    requestTimeMs: Number(elapsed),
    extra,
    damage: null,
  };
  return { ok: true, hit };
}
