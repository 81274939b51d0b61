/**
 * The line-batch frame as the wire format defines it, written out again for tests that forge,
 * mutate and judge message bodies. It does not import the product's codec on purpose: a test that
 * encoded and decoded with the code under test would agree with any change to it. It checks the
 * structure only and accepts any value, so that "this message could be stored" is decided by the
 * format and "this value is refused" is left to the consumer (which may dead-letter it).
 *
 *   "LRB1" | u8 sourceLength | source | streamId (8) | f64 readAtMs | u32 lineCount
 *   then per line: f64 offset | u8 flags (bit 0: truncated) | u32 byteLength | bytes
 */
import { createHash } from 'node:crypto';

export const FRAME_MAGIC = Buffer.from('LRB1', 'latin1');
export const STREAM_ID_LENGTH = 8;
export const LINE_HEADER_LENGTH = 8 + 1 + 4;
/** Where readAtMs starts, for a source of `sourceLength` bytes. */
export const readAtOffsetOf = (sourceLength: number): number =>
  FRAME_MAGIC.length + 1 + sourceLength + STREAM_ID_LENGTH;

export interface FrameLine {
  readonly offset: number;
  readonly bytes: Buffer;
  readonly truncated: boolean;
}

export interface Frame {
  /** The source's bytes: a forged frame may carry invalid UTF-8 there too. */
  readonly source: Buffer;
  readonly streamId: Buffer;
  readonly readAtMs: number;
  readonly lines: readonly FrameLine[];
}

/** The body of `frame`, any value written as it is (NaN, a negative offset, a duplicate …). */
export function encodeFrame(frame: Frame): Buffer {
  const parts: Buffer[] = [FRAME_MAGIC, Buffer.of(frame.source.length), frame.source, frame.streamId];
  const header = Buffer.alloc(12);
  header.writeDoubleBE(frame.readAtMs, 0);
  header.writeUInt32BE(frame.lines.length, 8);
  parts.push(header);
  for (const line of frame.lines) {
    const lineHeader = Buffer.alloc(LINE_HEADER_LENGTH);
    lineHeader.writeDoubleBE(line.offset, 0);
    lineHeader.writeUInt8(line.truncated ? 1 : 0, 8);
    lineHeader.writeUInt32BE(line.bytes.length, 9);
    parts.push(lineHeader, line.bytes);
  }
  return Buffer.concat(parts);
}

/**
 * The frame in `body` if its structure is whole (magic, header, every line within the body, nothing
 * after the last), with offsets that can name an event (safe non-negative integers); otherwise
 * undefined: a message that can only end in data-dead.
 */
export function storableFrameOf(body: Buffer): Frame | undefined {
  if (body.length < FRAME_MAGIC.length + 1 || !body.subarray(0, FRAME_MAGIC.length).equals(FRAME_MAGIC)) {
    return undefined;
  }
  const sourceLength = body.readUInt8(FRAME_MAGIC.length);
  let at = FRAME_MAGIC.length + 1;
  if (body.length < at + sourceLength + STREAM_ID_LENGTH + 12) return undefined;
  const source = body.subarray(at, at + sourceLength);
  at += sourceLength;
  const streamId = body.subarray(at, at + STREAM_ID_LENGTH);
  at += STREAM_ID_LENGTH;
  const readAtMs = body.readDoubleBE(at);
  const lineCount = body.readUInt32BE(at + 8);
  at += 12;
  const lines: FrameLine[] = [];
  for (let index = 0; index < lineCount; index++) {
    if (body.length < at + LINE_HEADER_LENGTH) return undefined;
    const offset = body.readDoubleBE(at);
    const truncated = (body.readUInt8(at + 8) & 1) !== 0;
    const length = body.readUInt32BE(at + 9);
    at += LINE_HEADER_LENGTH;
    if (!Number.isSafeInteger(offset) || offset < 0 || body.length < at + length) return undefined;
    lines.push({ offset, bytes: body.subarray(at, at + length), truncated });
    at += length;
  }
  return at === body.length ? { source, streamId, readAtMs, lines } : undefined;
}

/** The event id of a line, as the format defines it: the stream id, then the offset as a u64. */
export function eventIdHexOf(streamId: Buffer, offset: number): string {
  const id = Buffer.alloc(STREAM_ID_LENGTH + 8);
  streamId.copy(id, 0, 0, STREAM_ID_LENGTH);
  id.writeBigUInt64BE(BigInt(offset), STREAM_ID_LENGTH);
  return id.toString('hex');
}

/** A stream id no other test message shares: derived from a label that is unique per message. */
export function uniqueStreamId(label: string): Buffer {
  return createHash('sha256').update(label).digest().subarray(0, STREAM_ID_LENGTH);
}

/** Lines laid out as a file would hold them: offsets from `firstOffset`, each line plus its newline. */
export function linesAt(firstOffset: number, contents: readonly Buffer[], truncated = false): FrameLine[] {
  let offset = firstOffset;
  return contents.map((bytes) => {
    const line = { offset, bytes, truncated };
    offset += bytes.length + 1;
    return line;
  });
}
