/**
 * The message body: one `LineBatch` in a compact binary frame. Lines travel as bytes, so invalid
 * UTF-8 and NUL bytes arrive exactly as they were read; JSON could not carry them without loss.
 *
 *   "LRB1" | u8 sourceLength | source (UTF-8) | streamId (8) | f64 readAtMs | u32 lineCount
 *   then per line: f64 offset | u8 flags (bit 0: truncated) | u32 byteLength | bytes
 */
import type { LineBatch, LogLine } from '../domain/index.js';
import { STREAM_ID_BYTES } from '../domain/index.js';
import { PoisonMessageError } from '../errors.js';

const MAGIC = Buffer.from('LRB1', 'latin1');
const LINE_HEADER_BYTES = 8 + 1 + 4;
const FLAG_TRUNCATED = 1;

/** Encodes a batch into one message body. The source name must fit in 255 UTF-8 bytes. */
export function encodeLineBatch(batch: LineBatch): Buffer {
  const source = Buffer.from(batch.source, 'utf8');
  if (source.length > 255) throw new RangeError(`source name longer than 255 bytes: ${batch.source}`);
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
 * only a full collection frees them. Holding just the body until then took the consumer's peak under
 * a flood of two million lines from 254–287 MiB to 221–227 MiB in six runs of seven (bench/RESULTS.md).
 */
export interface ReceivedLineBatch {
  readonly source: string;
  readonly streamId: Buffer;
  readonly readAtMs: number;
  readonly lineCount: number;
  /** The lines' bytes, without the frame's headers. */
  readonly lineBytes: number;
  /** Decodes the lines, anew at each call: views into the body, not copies. Keep them only while needed. */
  decodeLines(): LogLine[];
}

/**
 * Reads a message body, checking the whole frame. A body that is not a well-formed frame can never
 * be processed, so the error is a `PoisonMessageError`: the message is dead-lettered rather than
 * redelivered forever.
 */
export function readLineBatch(body: Buffer): ReceivedLineBatch {
  const fail = (what: string): never => {
    throw new PoisonMessageError('LR_MESSAGE_UNDECODABLE', `undecodable message: ${what}`);
  };
  if (body.length < MAGIC.length + 1 || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    fail('not a lograbbit line batch (bad magic)');
  }
  let at = MAGIC.length;
  const sourceLength = body.readUInt8(at);
  at += 1;
  if (body.length < at + sourceLength + STREAM_ID_BYTES + 12) fail('truncated header');
  const source = body.toString('utf8', at, at + sourceLength);
  at += sourceLength;
  const streamId = body.subarray(at, at + STREAM_ID_BYTES);
  at += STREAM_ID_BYTES;
  const readAtMs = body.readDoubleBE(at);
  at += 8;
  const lineCount = body.readUInt32BE(at);
  at += 4;

  const firstLine = at;
  let lineBytes = 0;
  for (let index = 0; index < lineCount; index++) {
    if (body.length < at + LINE_HEADER_BYTES) fail(`truncated at line ${index + 1} of ${lineCount}`);
    const offset = body.readDoubleBE(at);
    const length = body.readUInt32BE(at + 9);
    at += LINE_HEADER_BYTES;
    if (!Number.isSafeInteger(offset) || offset < 0) fail(`bad offset at line ${index + 1}`);
    if (body.length < at + length) fail(`truncated at line ${index + 1} of ${lineCount}`);
    lineBytes += length;
    at += length;
  }
  if (at !== body.length) fail(`${body.length - at} unexpected bytes after the last line`);

  // The frame was checked above: no bound is checked again.
  const decodeLines = (): LogLine[] => {
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
  return { source, streamId, readAtMs, lineCount, lineBytes, decodeLines };
}
