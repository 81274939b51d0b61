/**
 * The consumers' port to the line tables: a message's lines go in through `storeRawLater` or
 * `storeLinesLater`, made by the caller's `make` only when the transaction that holds them forms
 * (until then a message keeps its bytes, not its lines), turned into rows here (rows.ts), and each
 * call resolves once they are committed. Behind it: one batch writer per queue (batch-writer.ts)
 * over the row writers (writers.ts); what it stored is read with `stored()`.
 */
import type { Logger } from 'pino';
import type { CleanOrRejectedLine, RawLine, RejectCode } from '../domain/index.js';
import { createBatchWriter } from './batch-writer.js';
import type { BatchWriterStats } from './batch-writer.js';
import { cleanRowOf, rawRowOf, rejectedRowOf } from './rows.js';
import type { CleanOrRejectedRow, RowWriters } from './writers.js';
import type { RawRow } from './schema.js';

/** The tables as the port names them: `lines` is clean_log and rejected_log together. */
export type LineTable = 'raw_log' | 'clean_log';

export interface LineStoreOptions {
  /** Rows per transaction, at most (a single larger message is still written whole). */
  readonly maxRows: number;
  /** Bytes per transaction, roughly, at most: keeps statements under max_allowed_packet. */
  readonly maxBytes: number;
  /** How long a partial transaction waits for more rows, in ms. */
  readonly flushIntervalMs: number;
  /** Transactions in flight at once per table. */
  readonly concurrency: number;
  readonly log: Logger;
  /** After each commit: its rows, how many were new, how long it took (for metrics). */
  readonly onCommit?: (table: LineTable, rows: number, inserted: number, seconds: number) => void;
  /** When writes succeed again after an outage (for metrics). */
  readonly onRecovered?: () => void;
}

/** What a call of `storeLinesLater` stored otherwise than it was given. */
export interface LinesStored {
  /**
   * The reject code of each clean line stored in rejected_log instead, with its reason: a value
   * out of its column's range (`out_of_range`), or a row the database refused alone.
   */
  readonly rejectedInstead: readonly RejectCode[];
}

/** What this process stored, per table: rows new and already there, and transactions. */
export interface StoredCounts {
  readonly raw: Readonly<BatchWriterStats>;
  /** clean_log and rejected_log, written together. */
  readonly cleanOrRejected: Readonly<BatchWriterStats>;
}

export interface LineStore {
  /** The line as a row can hold it on this server (see `RowWriters.fitLine`). */
  readonly fitLine: (line: Buffer) => Buffer;
  /**
   * Stores `count` lines of about `bytes` in all in raw_log, which `make` gives when their
   * transaction forms (and again, the same, if a refused transaction is split). Resolves once
   * committed; rejects with `PoisonMessageError` when they cannot be stored.
   */
  storeRawLater(count: number, bytes: number, make: () => readonly RawLine[]): Promise<void>;
  /**
   * As `storeRawLater`, for clean and rejected lines; a clean line whose row the table cannot hold,
   * or the database refuses alone, is stored as rejected.
   */
  storeLinesLater(
    count: number,
    bytes: number,
    make: () => readonly CleanOrRejectedLine[],
  ): Promise<LinesStored>;
  /** A snapshot of what was stored so far. */
  stored(): StoredCounts;
  /** Why rows are not being stored right now (an outage, retried), or undefined when they are. */
  readonly problem: string | undefined;
  /** Writes what is pending and waits for it. */
  flush(): Promise<void>;
}

/** The port over `writers`, one batch writer per table. */
export function openLineStore(writers: RowWriters, options: LineStoreOptions): LineStore {
  const writerOptions = {
    maxRows: options.maxRows,
    maxBytes: options.maxBytes,
    flushIntervalMs: options.flushIntervalMs,
    concurrency: options.concurrency,
    log: options.log,
    onRecovered: options.onRecovered,
    checkTables: () => writers.checkTables(),
  };
  const committed =
    (table: LineTable) =>
    (rows: number, inserted: number, seconds: number): void =>
      options.onCommit?.(table, rows, inserted, seconds);
  const raw = createBatchWriter<RawRow>({
    ...writerOptions,
    name: 'raw_log',
    onCommit: committed('raw_log'),
    begin: () => writers.beginRaw(),
  });
  const lines = createBatchWriter<CleanOrRejectedRow>({
    ...writerOptions,
    name: 'clean_log',
    onCommit: committed('clean_log'),
    begin: () => writers.beginCleanOrRejected(),
  });
  return {
    fitLine: writers.fitLine,
    storeRawLater: (count, bytes, make) => raw.addLater(count, bytes, () => make().map(rawRowOfLine)),
    async storeLinesLater(count, bytes, make) {
      let rejectedInstead: RejectCode[] = [];
      const rowOf = (line: CleanOrRejectedLine): CleanOrRejectedRow => {
        if (line.parsed) {
          const clean = cleanRowOf(line.eventId, line.source, line.hit);
          if (clean.ok)
            return { table: 'clean_log', row: clean.row, line: line.bytes, receivedAt: line.receivedAt };
          rejectedInstead.push(clean.code);
          return rejectedRowOfLine(line, clean.reason, line.hit.ts);
        }
        return rejectedRowOfLine(line, line.reason, line.ts);
      };
      // A clean row the database refused alone, as the rejected row of its line; a rejected row
      // has no other form.
      const replace = (entry: CleanOrRejectedRow, reason: string): CleanOrRejectedRow | undefined => {
        if (entry.table !== 'clean_log') return undefined;
        rejectedInstead.push('refused_by_database');
        const { eventId, source, ts } = entry.row;
        const line = { eventId, source, receivedAt: entry.receivedAt, bytes: entry.line };
        return rejectedRowOfLine(line, `refused by the database: ${reason}`, ts);
      };
      // Rows made again (a transaction written again after a failure) are replaced again: count anew.
      const remake = (): readonly CleanOrRejectedRow[] => {
        rejectedInstead = [];
        return make().map(rowOf);
      };
      await lines.addLater(count, bytes, remake, replace);
      return { rejectedInstead };
    },
    stored: () => ({ raw: { ...raw.stats }, cleanOrRejected: { ...lines.stats } }),
    get problem() {
      const problem = raw.problem ?? lines.problem;
      return problem === undefined ? undefined : `${raw.problem ? 'raw_log' : 'clean_log'}: ${problem}`;
    },
    flush: async () => void (await Promise.all([raw.flush(), lines.flush()])),
  };
}

/** raw_log's row of a line. */
function rawRowOfLine(line: RawLine): RawRow {
  return rawRowOf(line.eventId, line.source, line.receivedAt, line.bytes, line.truncated, line.ts);
}

/** rejected_log's row of a line, with `reason`; `ts` decides its day. */
function rejectedRowOfLine(
  line: Pick<CleanOrRejectedLine, 'eventId' | 'source' | 'receivedAt' | 'bytes'>,
  reason: string,
  ts: Date | null,
): CleanOrRejectedRow {
  return {
    table: 'rejected_log',
    row: rejectedRowOf(line.eventId, line.source, line.receivedAt, line.bytes, reason, ts),
  };
}
