/**
 * Space-separated fields where some are quoted (AWS ALB, Squid, custom formats' neighbours): split
 * in one linear pass. A quoted field ends at the first unescaped quote followed by a separator, as in
 * CLF logs (see quoted.ts), and its escapes are undone.
 */
import { closingQuote, unquote } from './quoted.js';

/**
 * The fields of `line`, quoted ones unquoted; runs of spaces separate (Squid pads its columns).
 * Returns null when a quoted field is unterminated or a quote sits inside a bare field.
 */
export function splitFields(line: string, max = 64): string[] | null {
  const out: string[] = [];
  let p = 0;
  const n = line.length;
  while (p < n) {
    const c = line.charCodeAt(p);
    if (c === 32 || c === 9 || c === 13) {
      p++;
      continue;
    }
    if (out.length === max) return null;
    if (c === 34) {
      const q = closingQuote(line, p + 1);
      if (q === -1) return null;
      out.push(unquote(line, p + 1, q));
      p = q + 1;
      continue;
    }
    let e = p;
    while (e < n) {
      const d = line.charCodeAt(e);
      if (d === 32 || d === 9 || d === 13) break;
      if (d === 34) return null;
      e++;
    }
    out.push(line.slice(p, e));
    p = e;
  }
  return out;
}

/** `host:port` or `[v6]:port` → the address; `-` → null. The port is always there in ALB logs. */
export function addressWithoutPort(value: string): string | null {
  if (value === '-' || value === '') return null;
  if (value.charCodeAt(0) === 91) {
    const close = value.indexOf(']');
    return close === -1 ? value : value.slice(1, close);
  }
  const colon = value.lastIndexOf(':');
  return colon === -1 ? value : value.slice(0, colon);
}
