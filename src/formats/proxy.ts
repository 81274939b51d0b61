/**
 * `proxy`: an authenticating reverse proxy's format (the log lograbbit was first written for),
 * `<client> <session|-> <user|-> [<time>] "<METHOD> <absolute url> HTTP/x.y" <status> <bytes> -`.
 *
 * It has the shape of `common` plus a trailing `-` field, and its target is always an absolute
 * http(s) URL. Both are required, so that a common line is never taken for a proxy line. A request
 * that is no HTTP request line at all (a TLS probe, `-`) is accepted with null method and target.
 */
import { clfHit, createClfFields, scanClf } from './clf-fields.js';
import { isBlankFrom } from './quoted.js';
import { quote, reject, type FormatResult } from './reject.js';

const fields = createClfFields();

function isAbsoluteHttpUrl(target: string): boolean {
  const lower = target.slice(0, 8).toLowerCase();
  return lower.startsWith('http://') || lower === 'https://';
}

/** Parses one proxy-format line. Never throws. */
export function parseProxy(line: string): FormatResult {
  const scan = scanClf(line, 'proxy', fields);
  if (!scan.ok) return scan;
  const end = fields.end;
  if (line.charCodeAt(end) !== 32 || line.charCodeAt(end + 1) !== 45 || !isBlankFrom(line, end + 2)) {
    return reject('proxy', end, 'bad_size', `expected " -" after the size, got ${quote(line, end)}`);
  }
  if (fields.target !== null && !isAbsoluteHttpUrl(fields.target)) {
    // Reported at the line's end: the line had the proxy shape, only its target was wrong.
    return reject(
      'proxy',
      line.length,
      'bad_request',
      `target ${quote(fields.target)} is not an absolute http(s) URL`,
    );
  }
  return { ok: true, hit: clfHit('proxy', fields, true, null, null, null) };
}
