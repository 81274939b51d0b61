/**
 * A message's lines → what is stored of each: pure, no I/O. `rawLinesOf` gives raw_log's lines;
 * `readLinesOf` parses and enriches each line into a clean line, or a rejected one with its reason
 * and code. The consumers call them when the store forms a message's transaction, not on delivery;
 * the store makes its rows of them (store/rows.ts).
 */
import { eventIdOf } from '../domain/index.js';
import type { CleanOrRejectedLine, LogLine, RawLine, RejectCode } from '../domain/index.js';
import { parseLine, readLineTime } from '../formats/index.js';
import type { DetectMemo, FormatChoice } from '../formats/index.js';
import { enrich } from '../enrich/index.js';
import type { EnrichOptions } from '../enrich/index.js';

/** What the transform reads of a message (the broker's `ReceivedLineBatch` is one). */
export interface MessageLines {
  readonly source: string;
  readonly streamId: Buffer;
  /** When the producer read the lines (epoch ms): each row's `receivedAt`. */
  readonly readAtMs: number;
  /** The lines, decoded anew at each call: rows are made again when a refused batch is split. */
  decodeLines(): readonly LogLine[];
}

/**
 * The line as a row can hold it on this server: itself, or its longest start that fits (the store
 * says how much, see `RowWriters.fitLine`).
 */
export type FitLine = (line: Buffer) => Buffer;

/** How far into a line its time is looked for (for raw_log.ts): a default line's whole length. */
const LINE_TIME_BYTES = 64 * 1024;

/**
 * A line's own time, when a format can read one (raw_log.ts, and the day of its raw and rejected
 * rows). The time is ASCII, so a latin1 view is enough to find it, and cheaper than UTF-8. It stands
 * near the start of a line: a copy of a whole 16 MiB line would be wasted.
 */
function lineTimeOf(bytes: Buffer): Date | null {
  const time = readLineTime(bytes.toString('latin1', 0, Math.min(bytes.length, LINE_TIME_BYTES)));
  return time === null ? null : new Date(time.epochMs);
}

/**
 * The longest line parsed into columns. A longer one is rejected with its reason and kept whole in
 * rejected_log (and raw_log): no column holds more than 64 KiB of it anyway, and each such line
 * parsed would be a string of its own size for the collector, which let two queues of 16 MiB lines
 * take the consumer past its memory target (bench/RESULTS.md, 16 MB lines). By default Vector drops
 * a line over 100 KiB and Fluent Bit stops reading a file at a line over 32 KiB; this keeps every
 * line and parses ten times Vector's.
 */
export const MAX_PARSED_LINE_BYTES = 1024 * 1024;

/** Each line of `batch` as raw_log keeps it, in order: its bytes as they fit, and its time if readable. */
export function rawLinesOf(batch: MessageLines, fitLine: FitLine): RawLine[] {
  const receivedAt = new Date(batch.readAtMs);
  const { source } = batch;
  return batch.decodeLines().map((line): RawLine => {
    const bytes = fitLine(line.bytes);
    return {
      eventId: eventIdOf(batch.streamId, line.offset),
      source,
      receivedAt,
      bytes,
      truncated: line.truncated || bytes !== line.bytes,
      ts: lineTimeOf(bytes),
    };
  });
}

export interface ReadLinesOptions {
  /** A built-in format, `auto` (detected per source), or a compiled `--log-format`/`--apache-format`. */
  readonly format: FormatChoice;
  /** The source's detection memo: which format parsed its last line (updated as lines are parsed). */
  readonly memo: DetectMemo;
  readonly enrich?: EnrichOptions | undefined;
  readonly fitLine: FitLine;
}

/** A message's clean and rejected lines, and what the metrics need of them. */
export interface ReadLines {
  /** Each line, in order: parsed and enriched, or rejected. */
  readonly lines: CleanOrRejectedLine[];
  /** How many lines are clean. */
  readonly parsed: number;
  /** The reject code of each rejected line, in order. */
  readonly codes: RejectCode[];
}

/**
 * Each line of `batch`: parsed (with `format`) and enriched into a clean line, or, when it is too
 * long or no format accepts it, a rejected line with the reason and its code. A line cut short (by
 * the source, or to fit the server) is never parsed.
 */
export function readLinesOf(batch: MessageLines, options: ReadLinesOptions): ReadLines {
  const receivedAt = new Date(batch.readAtMs);
  const { source } = batch;
  let parsed = 0;
  const codes: RejectCode[] = [];
  const lines = batch.decodeLines().map((line): CleanOrRejectedLine => {
    const eventId = eventIdOf(batch.streamId, line.offset);
    const bytes = options.fitLine(line.bytes);
    let why = line.truncated
      ? `line longer than the maximum line length; only its first ${bytes.length} bytes were kept`
      : bytes !== line.bytes
        ? `line longer than the database takes in one row (max_allowed_packet); only its first ${bytes.length} bytes were kept`
        : bytes.length > MAX_PARSED_LINE_BYTES
          ? `line longer than the ${MAX_PARSED_LINE_BYTES / 1024 / 1024} MiB that are parsed into columns; kept whole, unparsed`
          : undefined;
    let code: RejectCode = 'too_long'; // what every reason above says
    if (why === undefined) {
      const result = parseLine(bytes.toString('utf8'), options.format, options.memo);
      if (result.ok) {
        parsed++;
        const hit = enrich(result.hit, options.enrich);
        return { parsed: true, eventId, source, receivedAt, bytes, hit };
      }
      ({ reason: why, code } = result);
    }
    codes.push(code);
    return { parsed: false, eventId, source, receivedAt, bytes, reason: why, code, ts: lineTimeOf(bytes) };
  });
  return { lines, parsed, codes };
}
