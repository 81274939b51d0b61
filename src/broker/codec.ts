/**
 * The message body: one `LineBatch` in a compact binary frame. Lines travel as bytes, so invalid
 * UTF-8 and NUL bytes arrive exactly as they were read; JSON could not carry them without loss.
 *
 *   "LRB1" | u8 sourceLength | source (UTF-8) | streamId (8) | f64 readAtMs | u32 lineCount
 *   then per line: f64 offset | u8 flags (bit 0: truncated) | u32 byteLength | bytes
 *
 * The decoder checks every field against what a producer can send, and the encoder refuses to make
 * what the decoder would refuse: a frame that passes is one every later step can take (a time the
 * database can store, offsets that make distinct event ids, a bounded number of lines).
 */
import { isUtf8 } from 'node:buffer';
import type { LineBatch, LogLine } from '../domain/index.js';
import { STREAM_ID_BYTES, sourceNameProblem } from '../domain/index.js';
import { PoisonMessageError } from '../errors.js';

const MAGIC = Buffer.from('LRB1', 'latin1');
const LINE_HEADER_BYTES = 8 + 1 + 4;
const FLAG_TRUNCATED = 1;
const KNOWN_FLAGS = FLAG_TRUNCATED;

/**
 * Lines in one message, at most: the largest `--batch-lines`. Bounds what one message can make a
 * consumer hold, whatever its size in bytes (a message of a million empty lines is 13 MB).
 */
export const MAX_LINES_PER_MESSAGE = 10_000;

/** Bytes of one line, at most: the largest `--max-line-bytes` (longer lines are cut there). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** `readAtMs`, at least and at most: the range of the database's DATETIME columns (UTC). */
export const MIN_READ_AT_MS = Date.UTC(1000, 0, 1);
export const MAX_READ_AT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A safe integer in [min, max], and not -0 (which would not come back as the 0 it stands for). */
function isWholeIn(value: number, min: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= max && !Object.is(value, -0);
}

function readAtProblem(readAtMs: number): string | null {
  return isWholeIn(readAtMs, MIN_READ_AT_MS, MAX_READ_AT_MS)
    ? null
    : `readAtMs ${readAtMs} is not a whole number of milliseconds from 1000-01-01 to 9999-12-31 UTC (what the database's DATETIME columns hold)`;
}

function lineCountProblem(lineCount: number): string | null {
  if (lineCount < 1) return 'line count 0: a batch holds at least one line';
  if (lineCount > MAX_LINES_PER_MESSAGE) {
    return `line count ${lineCount} is more than ${MAX_LINES_PER_MESSAGE}`;
  }
  return null;
}

/**
 * Offsets ascend strictly within a batch, as a producer reads them: two lines at one offset would
 * have one event id, and the store would keep one of them as if the other were a duplicate.
 */
function offsetProblem(offset: number, previous: number): string | null {
  if (!isWholeIn(offset, 0, Number.MAX_SAFE_INTEGER)) {
    return `offset ${offset} is not a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`;
  }
  if (offset <= previous) return `offset ${offset} is not after the previous line's (${previous})`;
  return null;
}

function lineLengthProblem(length: number): string | null {
  return length > MAX_LINE_BYTES ? `length ${length} bytes, more than ${MAX_LINE_BYTES}` : null;
}

/** Why the encoder would make a frame the decoder refuses, or null. */
function batchProblem(batch: LineBatch): string | null {
  const problem =
    sourceNameProblem(batch.source) ??
    (batch.streamId.length === STREAM_ID_BYTES
      ? null
      : `the stream id is ${batch.streamId.length} bytes, not ${STREAM_ID_BYTES}`) ??
    readAtProblem(batch.readAtMs) ??
    lineCountProblem(batch.lines.length);
  if (problem !== null) return problem;
  let previous = -1;
  for (const [index, line] of batch.lines.entries()) {
    const lineProblem = offsetProblem(line.offset, previous) ?? lineLengthProblem(line.bytes.length);
    if (lineProblem !== null) return `line ${index + 1} of ${batch.lines.length}: ${lineProblem}`;
    previous = line.offset;
  }
  return null;
}

/**
 * Encodes a batch into one message body. Throws a RangeError naming the field when the batch is one
 * the decoder would refuse (see `sourceNameProblem`, `MAX_LINES_PER_MESSAGE`, `MAX_LINE_BYTES`).
 */
export function encodeLineBatch(batch: LineBatch): Buffer {
  const problem = batchProblem(batch);
  if (problem !== null) {
    throw new RangeError(`cannot send a batch of source ${JSON.stringify(batch.source)}: ${problem}`);
  }
  const source = Buffer.from(batch.source, 'utf8');
  let size = MAGIC.length + 1 + source.length + STREAM_ID_BYTES + 8 + 4;
  for (const line of batch.lines) size += LINE_HEADER_BYTES + line.bytes.length;

  const body = Buffer.allocUnsafe(size);
  let at = MAGIC.copy(body, 0);
  at = body.writeUInt8(source.length, at);
  at += source.copy(body, at);
  at += batch.streamId.copy(body, at, 0, STREAM_ID_BYTES);
  at = body.writeDoubleBE(batch.readAtMs, at);
  at = body.writeUInt32BE(batch.lines.length, at);
  for (const line of batch.lines) {
    at = body.writeDoubleBE(line.offset, at);
    at = body.writeUInt8(line.truncated ? FLAG_TRUNCATED : 0, at);
    at = body.writeUInt32BE(line.bytes.length, at);
    at += line.bytes.copy(body, at);
  }
  return body;
}

/**
 * A batch as the consumer receives it: its header and counts, read on delivery, and its lines,
 * decoded only when asked for. A message waits for its transaction for a few hundred milliseconds:
 * objects made on delivery outlived that many scavenges and were promoted to V8's old space, where
 * only a full collection frees them. Holding just the body until then lowered the consumer's peak
 * under a flood (bench/RESULTS.md, "Memory under a flood").
 */
export interface ReceivedLineBatch {
  readonly source: string;
  readonly streamId: Buffer;
  /** A whole number of ms in [MIN_READ_AT_MS, MAX_READ_AT_MS]. */
  readonly readAtMs: number;
  /** From 1 to MAX_LINES_PER_MESSAGE. */
  readonly lineCount: number;
  /** The lines' bytes, without the frame's headers. */
  readonly lineBytes: number;
  /** Decodes the lines, anew at each call: views into the body, not copies. Keep them only while needed. */
  decodeLines(): LogLine[];
  /**
   * Lets the body go once the message is settled: `decodeLines` throws after it. What held the batch
   * may still be in memory (V8 may have put it in its old space, where only a full collection frees
   * it), and must not keep the body's bytes with it.
   */
  release(): void;
}

/**
 * Reads a message body, checking every field of the frame. A body that is not a well-formed frame
 * can never be processed, so the error is a `PoisonMessageError` naming the field (and the line):
 * the message is dead-lettered rather than redelivered forever.
 */
export function readLineBatch(body: Buffer): ReceivedLineBatch {
  const fail = (what: string): never => {
    throw new PoisonMessageError('LR_MESSAGE_UNDECODABLE', `undecodable message: ${what}`);
  };
  const check = (problem: string | null): void => {
    if (problem !== null) fail(problem);
  };
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    fail('not a lograbbit line batch (bad magic)');
  }
  let at = MAGIC.length;
  if (body.length < at + 1) fail('truncated header: no source length');
  const sourceLength = body.readUInt8(at);
  at += 1;
  const headerEnd = at + sourceLength + STREAM_ID_BYTES + 8 + 4;
  if (body.length < headerEnd) {
    fail(
      `truncated header: ${body.length} bytes, a header with a ${sourceLength}-byte source takes ${headerEnd}`,
    );
  }
  const sourceBytes = body.subarray(at, at + sourceLength);
  if (!isUtf8(sourceBytes)) fail('source: not valid UTF-8');
  const source = sourceBytes.toString('utf8');
  const sourceProblem = sourceNameProblem(source);
  if (sourceProblem !== null) fail(`source: ${sourceProblem}`);
  at += sourceLength;
  // A copy: a view would keep the whole body alive for as long as the stream id is.
  const streamId = Buffer.from(body.subarray(at, at + STREAM_ID_BYTES));
  at += STREAM_ID_BYTES;
  const readAtMs = body.readDoubleBE(at);
  at += 8;
  check(readAtProblem(readAtMs));
  const lineCount = body.readUInt32BE(at);
  at += 4;
  check(lineCountProblem(lineCount));

  const firstLine = at;
  let lineBytes = 0;
  let previous = -1;
  for (let index = 0; index < lineCount; index++) {
    if (body.length < at + LINE_HEADER_BYTES)
      fail(`line ${index + 1} of ${lineCount}: truncated in its header`);
    const offset = body.readDoubleBE(at);
    const flags = body.readUInt8(at + 8);
    const length = body.readUInt32BE(at + 9);
    at += LINE_HEADER_BYTES;
    const problem =
      offsetProblem(offset, previous) ??
      ((flags & ~KNOWN_FLAGS) !== 0 ? `unknown flags 0x${flags.toString(16)}` : null) ??
      lineLengthProblem(length) ??
      (body.length < at + length ? `truncated: ${length} bytes announced, ${body.length - at} left` : null);
    if (problem !== null) fail(`line ${index + 1} of ${lineCount}: ${problem}`);
    previous = offset;
    lineBytes += length;
    at += length;
  }
  if (at !== body.length) fail(`${body.length - at} unexpected bytes after the last line`);

  let held: Buffer | undefined = body;
  // The frame was checked above: no bound is checked again.
  const decodeLines = (): LogLine[] => {
    const body = held;
    if (body === undefined) throw new Error('the lines of a settled message were asked for');
    const lines: LogLine[] = [];
    let from = firstLine;
    for (let index = 0; index < lineCount; index++) {
      const offset = body.readDoubleBE(from);
      const flags = body.readUInt8(from + 8);
      const length = body.readUInt32BE(from + 9);
      from += LINE_HEADER_BYTES;
      lines.push({
        offset,
        bytes: body.subarray(from, from + length),
        truncated: (flags & FLAG_TRUNCATED) !== 0,
      });
      from += length;
    }
    return lines;
  };
  const release = (): void => void (held = undefined);
  return { source, streamId, readAtMs, lineCount, lineBytes, decodeLines, release };
}
