/**
 * `combined`: Apache's and nginx's default, `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`.
 *
 * Fields after the user agent are accepted when they are well formed (space-separated quoted strings
 * or bare tokens, as nginx's `"$http_x_forwarded_for"` or Apache's `%D` add): the referrer and user
 * agent were already delimited by their quotes, so nothing can be misread. They are kept, as written,
 * in `extra.trailing`. A stray quote or an unterminated field after the user agent rejects the line.
 */
import { clfHit, createClfFields, scanClf } from './clf-fields.js';
import { closingQuote, isBlankFrom, unquote } from './quoted.js';
import { quote, reject, type FormatResult } from './reject.js';

const fields = createClfFields();

function dashOrText(text: string): string | null {
  return text === '-' || text === '' ? null : text;
}

// The end of the well-formed trailing fields from `start`, or -1 where one is malformed.
function trailingEnd(line: string, start: number): number {
  let p = start;
  while (p < line.length && !isBlankFrom(line, p)) {
    if (line.charCodeAt(p) !== 32) return -1;
    p++;
    if (line.charCodeAt(p) === 34) {
      const q = closingQuote(line, p + 1);
      if (q === -1) return -1;
      p = q + 1;
    } else {
      const sp = line.indexOf(' ', p);
      const end = sp === -1 ? line.length : sp;
      const q = line.indexOf('"', p);
      if (end === p || (q !== -1 && q < end)) return -1;
      p = end;
    }
  }
  return p;
}

/** Parses one combined-format line. Never throws. */
export function parseCombined(line: string): FormatResult {
  const bad = scanClf(line, 'combined', fields);
  if (bad !== null) return bad;
  const refStart = fields.end + 2;
  if (line.charCodeAt(fields.end) !== 32 || line.charCodeAt(fields.end + 1) !== 34) {
    return reject(
      'combined',
      fields.end,
      `expected ' "<referrer>"' after the size, got ${quote(line, fields.end)}`,
    );
  }
  const refEnd = closingQuote(line, refStart);
  if (refEnd === -1) return reject('combined', refStart, `unterminated referrer ${quote(line, refStart)}`);
  const uaStart = refEnd + 3;
  if (line.charCodeAt(refEnd + 1) !== 32 || line.charCodeAt(refEnd + 2) !== 34) {
    return reject('combined', refEnd + 1, 'expected \' "<user agent>"\' after the referrer');
  }
  const uaEnd = closingQuote(line, uaStart);
  if (uaEnd === -1) return reject('combined', uaStart, `unterminated user agent ${quote(line, uaStart)}`);

  let trailing: string | null = null;
  if (!isBlankFrom(line, uaEnd + 1)) {
    const end = trailingEnd(line, uaEnd + 1);
    if (end === -1) {
      return reject(
        'combined',
        uaEnd + 1,
        `malformed fields after the user agent: ${quote(line, uaEnd + 1)}`,
      );
    }
    trailing = line.slice(uaEnd + 2, end);
  }
  const referrer = dashOrText(unquote(line, refStart, refEnd));
  const userAgent = dashOrText(unquote(line, uaStart, uaEnd));
  return { ok: true, hit: clfHit('combined', fields, false, referrer, userAgent, trailing) };
}
