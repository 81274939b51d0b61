/**
 * A line as the pipeline hands it to the store: what was read of it, not yet a table row. The store
 * turns each into the row its table holds (store/rows.ts), when the transaction that holds it forms.
 */
import type { EnrichedHit } from './hit.js';
import type { RejectCode } from './reject-code.js';

/** What every stored form of a line carries. */
interface LineOrigin {
  /** The line's stream id and offset: its row's key in every table (see `eventIdOf`). */
  readonly eventId: Buffer;
  readonly source: string;
  /** When the producer read the line. */
  readonly receivedAt: Date;
  /** The line as a row can hold it: itself, or its start when it was cut. */
  readonly bytes: Buffer;
}

/** A line as raw_log keeps it: its bytes and, when a format can read it, its own time. */
export interface RawLine extends LineOrigin {
  /** True when `bytes` holds only the line's start (cut by the source or to fit the server). */
  readonly truncated: boolean;
  readonly ts: Date | null;
}

/** A line a format parsed, enriched: clean_log's, unless its values do not fit the table. */
export interface CleanLine extends LineOrigin {
  readonly parsed: true;
  readonly hit: EnrichedHit;
}

/** A line no format accepted (or too long to parse), with why: rejected_log's. */
export interface RejectedLine extends LineOrigin {
  readonly parsed: false;
  readonly reason: string;
  readonly code: RejectCode;
  /** The line's own time when a format can read one (the day of its row), else null. */
  readonly ts: Date | null;
}

export type CleanOrRejectedLine = CleanLine | RejectedLine;
