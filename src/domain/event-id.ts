/**
 * Event ids: 16 bytes that name one line of one stream, the same every time that stream is read.
 *
 * The first 8 bytes name the stream, the last 8 are the line's byte offset, big-endian. Reading the
 * same file twice gives the same ids (so a re-ingest adds no rows), two identical lines at different
 * places get different ids (an id made from the line's text alone would merge them), and within one
 * stream the ids ascend, which keeps the primary-key B-tree append-friendly.
 */
import { createHash } from 'node:crypto';

export const STREAM_ID_BYTES = 8;
export const EVENT_ID_BYTES = 16;

/**
 * The id of a stream: a hash of the source name and of the stream's first line (its fingerprint).
 * A rotated or truncated file starts with another first line, so it is another stream.
 */
export function streamIdOf(source: string, firstLine: Buffer): Buffer {
  return createHash('sha256')
    .update(source, 'utf8')
    .update(Buffer.of(0))
    .update(firstLine)
    .digest()
    .subarray(0, STREAM_ID_BYTES);
}

/** The event id of the line that starts at `offset` in the stream `streamId`. */
export function eventIdOf(streamId: Buffer, offset: number): Buffer {
  const id = Buffer.allocUnsafe(EVENT_ID_BYTES);
  streamId.copy(id, 0, 0, STREAM_ID_BYTES);
  // Two 32-bit halves rather than a BigInt made for every line: an offset is a safe integer.
  id.writeUInt32BE(Math.floor(offset / 0x1_0000_0000), STREAM_ID_BYTES);
  id.writeUInt32BE(offset % 0x1_0000_0000, STREAM_ID_BYTES + 4);
  return id;
}
