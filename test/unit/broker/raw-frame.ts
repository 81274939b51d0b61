/**
 * Writes a line-batch frame field by field, with no check at all: what a buggy or hostile producer
 * could put on the wire, for the decoder's tests.
 */
export interface RawLine {
  readonly offset: number;
  readonly flags: number;
  readonly bytes: Buffer;
  /** The length written in the line's header (its bytes' length by default). */
  readonly declaredLength?: number;
}

export interface RawFrame {
  readonly magic?: Buffer;
  /** The source's bytes, valid UTF-8 or not. */
  readonly source: Buffer;
  readonly streamId: Buffer;
  readonly readAtMs: number;
  readonly lines: readonly RawLine[];
  /** The line count written in the header (the lines' number by default). */
  readonly declaredLineCount?: number;
  readonly trailing?: Buffer;
}

export function rawFrameOf(frame: RawFrame): Buffer {
  const header = Buffer.alloc(1 + 8 + 4);
  header.writeUInt8(frame.source.length & 0xff, 0);
  const fixed = Buffer.alloc(8 + 4);
  fixed.writeDoubleBE(frame.readAtMs, 0);
  fixed.writeUInt32BE(frame.declaredLineCount ?? frame.lines.length, 8);
  const parts: Buffer[] = [
    frame.magic ?? Buffer.from('LRB1', 'latin1'),
    header.subarray(0, 1),
    frame.source,
    frame.streamId,
    fixed,
  ];
  for (const line of frame.lines) {
    const lineHeader = Buffer.alloc(13);
    lineHeader.writeDoubleBE(line.offset, 0);
    lineHeader.writeUInt8(line.flags, 8);
    lineHeader.writeUInt32BE(line.declaredLength ?? line.bytes.length, 9);
    parts.push(lineHeader, line.bytes);
  }
  if (frame.trailing) parts.push(frame.trailing);
  return Buffer.concat(parts);
}

/** A frame every check accepts: the base the tests change one field of. */
export const validFrame: RawFrame = {
  source: Buffer.from('access.log'),
  streamId: Buffer.alloc(8, 7),
  readAtMs: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
  lines: [
    { offset: 0, flags: 0, bytes: Buffer.from('first line') },
    { offset: 11, flags: 1, bytes: Buffer.from('second') },
    { offset: 40, flags: 0, bytes: Buffer.from('third') },
  ],
};
