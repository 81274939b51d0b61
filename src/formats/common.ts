/**
 * `common`: the Common Log Format of Apache and nginx, `%h %l %u %t "%r" %>s %b`.
 *
 * Nothing may follow the size but blanks (a stray `\r` included): that is what keeps a combined or
 * proxy line from being read as common and losing its fields when auto-detection tries common first.
 */
import { clfHit, createClfFields, scanClf } from './clf-fields.js';
import { isBlankFrom } from './quoted.js';
import { quote, reject, type FormatResult } from './reject.js';

const fields = createClfFields();

/** Parses one Common Log Format line. Never throws. */
export function parseCommon(line: string): FormatResult {
  const scan = scanClf(line, 'common', fields);
  if (!scan.ok) return scan;
  if (!isBlankFrom(line, fields.end)) {
    return reject(
      'common',
      fields.end,
      'bad_size',
      `unexpected text after the size: ${quote(line, fields.end)}`,
    );
  }
  return { ok: true, hit: clfHit('common', fields, false, null, null, null) };
}
