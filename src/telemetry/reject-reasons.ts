/**
 * The class of a reject reason read back as text (`combined: bad status "2x0"`), for the rows of
 * `rejected_log`, which store the text and not the code. Pure: `lograbbit stats` and the summary of
 * rejected inputs group the stored reasons with it. A line being rejected now carries its code
 * (`RejectCode`, see domain/reject-code.ts), which is what the metrics count: these regexes guess.
 */

import { REJECT_CODES, type RejectCode } from '../domain/index.js';

/** The classes are the reject codes: a line counted by its code and a row grouped by its text agree. */
export const REJECT_REASON_CLASSES = REJECT_CODES;
export type RejectReasonClass = RejectCode;

const NO_MATCH_PREFIX = 'no format matched; closest was ';

/** The class of a reject reason; `other` for one no rule knows. */
export function rejectReasonClassOf(reason: string): RejectReasonClass {
  let text = reason;
  if (text.startsWith(NO_MATCH_PREFIX)) {
    text = text.slice(NO_MATCH_PREFIX.length);
    if (text === 'none') return 'no_format';
  }
  // `<format>: <what failed>`: the format is not part of the class.
  const colon = text.indexOf(': ');
  if (colon > 0 && colon < 24 && !text.slice(0, colon).includes(' ')) text = text.slice(colon + 2);
  if (text.startsWith('line longer than')) return 'too_long';
  if (text.startsWith('refused by the database')) return 'refused_by_database';
  if (text.includes('does not fit')) return 'out_of_range';
  if (text.startsWith('directive')) return 'directive';
  if (text.startsWith('unterminated')) return 'unterminated_field';
  if (/status/.test(text)) return 'bad_status';
  if (/\b(size|bytes|byte count|sent_bytes|sc-bytes)\b/.test(text)) return 'bad_size';
  if (/\b(time|date|month|day|year|hour|epoch|timestamp)\b/i.test(text)) return 'bad_time';
  if (/\b(request|method|target|url|protocol)\b/i.test(text)) return 'bad_request';
  if (/JSON/.test(text)) return 'bad_json';
  if (/^(expected|missing|malformed|unexpected)\b|\bfields?\b/.test(text)) return 'bad_layout';
  if (text.startsWith('format ')) return 'no_format';
  return 'other';
}
