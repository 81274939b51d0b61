/**
 * Why a line became a `rejected_log` row instead of a `clean_log` one: a code from a small fixed set,
 * beside the reason's text. The text is for people and may be reworded; the code is what metrics
 * count and group by, so rewording a message never moves a line to another label. The codes are the
 * label values `lograbbit_lines_rejected_total{reason}` had when they were read from the text, so
 * dashboards built on them keep working. A code is never renamed nor reused for another meaning.
 */
export const REJECT_CODES = [
  'too_long',
  'directive',
  'bad_time',
  'bad_status',
  'bad_size',
  'bad_request',
  'bad_json',
  'unterminated_field',
  'bad_layout',
  'no_format',
  'out_of_range',
  'refused_by_database',
  'other',
] as const;
export type RejectCode = (typeof REJECT_CODES)[number];

/** What went wrong, for metrics (`code`) and for people (`text`, stored in `rejected_log.reason`). */
export interface RejectReason {
  readonly code: RejectCode;
  readonly text: string;
}
