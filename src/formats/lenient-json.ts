/**
 * JSON as web servers write it, which is not always JSON. nginx's default escaping (a `log_format`
 * without `escape=json`) writes `"` as `\x22` and every byte outside printable ASCII as `\xHH`, and an
 * unquoted variable with no value as a bare `-`. Valid JSON goes straight to JSON.parse; otherwise one
 * linear pass rewrites runs of `\xHH` into the UTF-8 text they encode (as `\uXXXX`) and bare `-` into
 * null, then JSON.parse runs again. Anything still invalid is a reason, never an exception.
 */

/** A JSON object, or the reason the text is not one. */
export type JsonObjectResult =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string };

const utf8 = new TextDecoder('utf-8');

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

function byteAt(s: string, i: number): number {
  if (s.charCodeAt(i) !== 92 || s.charCodeAt(i + 1) !== 120) return -1;
  const hi = hexValue(s.charCodeAt(i + 2));
  const lo = hexValue(s.charCodeAt(i + 3));
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

function jsonEscaped(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c < 0x20 || c === 34 || c === 92 || c >= 0x7f ? `\\u${c.toString(16).padStart(4, '0')}` : text[i];
  }
  return out;
}

/** Rewrites nginx's escapes into JSON; returns the text unchanged when there is nothing to rewrite. */
export function repairJson(s: string): string {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 34) {
        inString = false;
      } else if (c === 92) {
        if (s.charCodeAt(i + 1) !== 120 || byteAt(s, i) < 0) {
          i++;
          continue;
        }
        const bytes: number[] = [];
        let j = i;
        for (let b = byteAt(s, j); b >= 0; b = byteAt(s, j)) {
          bytes.push(b);
          j += 4;
        }
        out += s.slice(from, i) + jsonEscaped(utf8.decode(new Uint8Array(bytes)));
        from = j;
        i = j - 1;
      }
    } else if (c === 34) {
      inString = true;
    } else if (c === 45) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 48 && next <= 57)) {
        out += `${s.slice(from, i)}null`;
        from = i + 1;
      }
    }
  }
  return from === 0 ? s : out + s.slice(from);
}

/** Parses `line` as one JSON object, repairing nginx's escapes when needed. Never throws. */
export function parseJsonObject(line: string): JsonObjectResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    const repaired = repairJson(line);
    try {
      value = JSON.parse(repaired);
    } catch (error) {
      return { ok: false, reason: `not JSON (${(error as Error).message.slice(0, 80)})` };
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
