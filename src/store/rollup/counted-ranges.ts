/**
 * Which lines of a stream the rollups have counted: sorted, disjoint byte ranges [start, end) of the
 * stream. A line is counted once its start offset lies in a range; a message adds the range from its
 * first row's offset to the end of its last row's line.
 *
 * Why ranges of bytes and not a list of lines: redelivered, re-read or re-ingested, a line has the
 * same offset in the same stream (its event id), however the producer batched it, and the ranges of
 * consecutive messages merge, so a stream read in order costs one range, whatever its length. It is
 * also what makes a re-ingest after a prune count nothing again: the rows are gone, the ranges are not.
 *
 * Two ranges merge when at most a line ending lies between them (`\n` or `\r\n`): no line with text can
 * start there, so the merged range claims no line that was not counted. A message that ends with a cut
 * line, or is followed by blank lines, leaves a range of its own; those stay few.
 */

/** [start, end) pairs, sorted and apart by more than a line ending. */
export type CountedRanges = Array<readonly [number, number]>;

/** The most bytes between two ranges that can hold no line with text: `\r\n`. */
const LINE_ENDING_BYTES = 2;

/** Whether the line starting at `offset` is counted. */
export function isCounted(ranges: CountedRanges, offset: number): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const [start, end] = ranges[middle] as readonly [number, number];
    if (offset < start) high = middle - 1;
    else if (offset >= end) low = middle + 1;
    else return true;
  }
  return false;
}

/** Whether every line in [start, end) is counted (one range holds it all). */
export function isAllCounted(ranges: CountedRanges, start: number, end: number): boolean {
  return ranges.some(([from, to]) => from <= start && end <= to);
}

/** Whether no line in [start, end) is counted. */
export function isNoneCounted(ranges: CountedRanges, start: number, end: number): boolean {
  return !ranges.some(([from, to]) => from < end && start < to);
}

/** `ranges` with [start, end) added, merged with the ranges it overlaps or nearly touches. */
export function withRange(ranges: CountedRanges, start: number, end: number): CountedRanges {
  const merged: CountedRanges = [];
  let from = start;
  let to = end;
  let placed = false;
  for (const range of ranges) {
    const [rangeStart, rangeEnd] = range;
    if (rangeEnd + LINE_ENDING_BYTES < from) merged.push(range);
    else if (to + LINE_ENDING_BYTES < rangeStart) {
      if (!placed) merged.push([from, to]);
      placed = true;
      merged.push(range);
    } else {
      from = Math.min(from, rangeStart);
      to = Math.max(to, rangeEnd);
    }
  }
  if (!placed) merged.push([from, to]);
  return merged;
}

const PAIR_BYTES = 16;

/** The stored form: big-endian u64 pairs (offsets are safe integers, written as two u32 halves). */
export function encodeRanges(ranges: CountedRanges): Buffer {
  const out = Buffer.allocUnsafe(ranges.length * PAIR_BYTES);
  ranges.forEach(([start, end], index) => {
    writeOffset(out, index * PAIR_BYTES, start);
    writeOffset(out, index * PAIR_BYTES + 8, end);
  });
  return out;
}

export function decodeRanges(stored: Uint8Array): CountedRanges {
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  if (bytes.length % PAIR_BYTES !== 0) {
    throw new Error(`counted ranges of ${bytes.length} bytes: not whole pairs of offsets`);
  }
  const ranges: CountedRanges = [];
  for (let at = 0; at < bytes.length; at += PAIR_BYTES) {
    ranges.push([readOffset(bytes, at), readOffset(bytes, at + 8)]);
  }
  return ranges;
}

function writeOffset(out: Buffer, at: number, offset: number): void {
  out.writeUInt32BE(Math.floor(offset / 0x1_0000_0000), at);
  out.writeUInt32BE(offset % 0x1_0000_0000, at + 4);
}

function readOffset(bytes: Buffer, at: number): number {
  return bytes.readUInt32BE(at) * 0x1_0000_0000 + bytes.readUInt32BE(at + 4);
}
