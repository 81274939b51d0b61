/**
 * Quoted fields of access logs: finding where one ends and undoing the server's escapes.
 *
 * Apache writes `"` as `\"` and `\` as `\\`; nginx writes them as `\x22` and `\x5C`. Both write other
 * control and non-ASCII bytes as `\xHH`, which are kept as written: they are parts of bytes, not text.
 * Every scan here is linear in the line, whatever it holds (no regex, no backtracking).
 */

const QUOTE = 34;
const BACKSLASH = 92;

/** True for what may follow a field: the end of the line, a space, a tab or a stray `\r`. */
export function isSeparator(code: number): boolean {
  // charCodeAt past the end is NaN, which is the end of the line.
  return code !== code || code === 32 || code === 9 || code === 13;
}

/** True when `line` holds only spaces, tabs and `\r` from `start` on. */
export function isBlankFrom(line: string, start: number): boolean {
  for (let i = start; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/**
 * The index of the quote that closes a field whose text starts at `start`, or -1.
 * It is the first quote that is not backslash-escaped and is followed by a separator, so that a raw
 * quote written by an old server inside a field (`"GET /a"b HTTP/1.0"`) does not end it early.
 */
export function closingQuote(line: string, start: number): number {
  let from = start;
  for (;;) {
    const q = line.indexOf('"', from);
    if (q === -1) return -1;
    let k = q - 1;
    while (k >= start && line.charCodeAt(k) === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0 && isSeparator(line.charCodeAt(q + 1))) return q;
    from = q + 1;
  }
}

function hexEscape(s: string, i: number): number {
  // `\x22` → `"` and `\x5C` → `\`: the only \x escapes that stand for a character the field can hold.
  if (s.charCodeAt(i + 1) !== 120) return -1;
  const h = s.slice(i + 2, i + 4).toLowerCase();
  return h === '22' ? QUOTE : h === '5c' ? BACKSLASH : -1;
}

/** The text of the field `line[start, end)` with `\"`, `\\`, `\x22` and `\x5C` undone. */
export function unquote(line: string, start: number, end: number): string {
  const raw = line.slice(start, end);
  if (raw.indexOf('\\') === -1) return raw;
  let out = '';
  let from = 0;
  for (let i = raw.indexOf('\\'); i !== -1 && i < raw.length; i = raw.indexOf('\\', i)) {
    const next = raw.charCodeAt(i + 1);
    if (next === QUOTE || next === BACKSLASH) {
      out += raw.slice(from, i) + raw[i + 1];
      from = i + 2;
      i += 2;
      continue;
    }
    const hex = hexEscape(raw, i);
    if (hex !== -1) {
      out += raw.slice(from, i) + String.fromCharCode(hex);
      from = i + 4;
      i += 4;
      continue;
    }
    i += 1;
  }
  return out + raw.slice(from);
}
