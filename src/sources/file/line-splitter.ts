/**
 * Turns a stream of byte chunks into batches of lines with their byte offsets. Pure bookkeeping, no
 * I/O: the caller feeds chunks and takes batches, so files, stdin and sockets share it.
 *
 * - A line ends at `\n`; a `\r` just before it belongs to the line ending, not the line.
 * - Blank lines (empty, or only spaces and tabs) are counted and skipped: they carry nothing.
 * - A line longer than `maxLineBytes` is cut there and flagged `truncated`; the rest up to its
 *   newline is skipped, never dropped silently.
 * - The stream's id is the hash of its source and its first line, known before the first batch.
 * - A follower resuming mid-file gives the offset it starts at and the stream id it stored, and asks
 *   `positionAfter(batch)` where each batch ends, to checkpoint exactly after a confirmed batch.
 */
import type { LineBatch, LogLine } from '../../domain/index.js';
import { streamIdOf } from '../../domain/index.js';

export interface LineSplitterOptions {
  readonly source: string;
  readonly batchLines: number;
  readonly batchBytes: number;
  readonly maxLineBytes: number;
  /** Clock for `readAtMs`; replaceable in tests. */
  readonly now?: () => number;
  /** Byte offset in the stream of the first chunk pushed (a resumed or `--from end` follower); 0 by default. */
  readonly startOffset?: number;
  /** The stream's id when it is already known (stored in a checkpoint); else hashed from the first line. */
  readonly streamId?: Buffer;
}

export interface SplitterCounts {
  /** Non-blank lines handed out in batches. */
  lines: number;
  blank: number;
  truncated: number;
  /** Bytes consumed since `startOffset`, line endings included. */
  bytes: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class LineSplitter {
  readonly counts: SplitterCounts = { lines: 0, blank: 0, truncated: 0, bytes: 0 };
  private readonly options: LineSplitterOptions;
  private readonly now: () => number;
  private streamId: Buffer | undefined;
  private lines: LogLine[] = [];
  private batchBytes = 0;
  /** Start of a line that began in an earlier chunk. */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Bytes of the current line seen so far, skipped ones included (for offsets). */
  private seenBytes = 0;
  /** Offset of the first byte of the line being read. */
  private lineStart = 0;
  /** The line being read is past maxLineBytes: skip to its newline. */
  private skipping = false;
  private readonly startOffset: number;
  /** Where the stream may be resumed once the lines waiting for their batch are sent. */
  private pendingEnd: number;
  /** Where the line being taken ends, line ending included. */
  private lineEnd = 0;
  private readonly ends = new WeakMap<LineBatch, number>();

  constructor(options: LineSplitterOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.startOffset = options.startOffset ?? 0;
    this.lineStart = this.startOffset;
    this.pendingEnd = this.startOffset;
    this.streamId = options.streamId;
  }

  /** Offset of the first byte not yet taken as part of a whole line (the start of a partial line). */
  get position(): number {
    return this.lineStart;
  }

  /** Lines waiting for their batch to fill (or for `flush`). */
  get waiting(): number {
    return this.lines.length;
  }

  /** The stream id, once known. */
  get stream(): Buffer | undefined {
    return this.streamId;
  }

  /**
   * The offset where reading may resume once `batch` (a batch of this splitter) and every batch before
   * it are delivered: just after its last line, or at the start of a line cut at the maximum length
   * (which is then read again, with the same event id).
   */
  positionAfter(batch: LineBatch): number | undefined {
    return this.ends.get(batch);
  }

  /** Feeds a chunk; returns the batches it completed. */
  push(chunk: Buffer): LineBatch[] {
    const ready: LineBatch[] = [];
    let from = 0;
    while (from < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, from);
      if (newline === -1) {
        this.seenBytes += chunk.length - from;
        this.keepPartial(chunk.subarray(from), ready);
        break;
      }
      const piece = chunk.subarray(from, newline);
      const lineEnd = this.lineStart + this.seenBytes + piece.length + 1;
      this.lineEnd = lineEnd;
      if (this.skipping) {
        this.skipping = false;
      } else if (this.partialBytes === 0) {
        this.takeLine(piece, false, ready);
      } else {
        this.keepPartial(piece, ready);
        if (this.skipping) this.skipping = false;
        else this.takeLine(Buffer.concat(this.partial, this.partialBytes), false, ready);
      }
      this.partial = [];
      this.partialBytes = 0;
      this.seenBytes = 0;
      this.counts.bytes = lineEnd - this.startOffset;
      this.lineStart = lineEnd;
      from = newline + 1;
    }
    return ready;
  }

  /** Ends the stream: a last line without its newline is taken as it is. Returns the final batches. */
  end(): LineBatch[] {
    const ready: LineBatch[] = [];
    this.lineEnd = this.lineStart + this.seenBytes;
    if (this.partialBytes > 0 && !this.skipping) {
      this.takeLine(Buffer.concat(this.partial, this.partialBytes), true, ready);
    }
    this.counts.bytes = this.lineEnd - this.startOffset;
    this.lineStart = this.lineEnd;
    this.partial = [];
    this.partialBytes = 0;
    this.seenBytes = 0;
    this.skipping = false;
    if (this.lines.length > 0) ready.push(this.cut());
    return ready;
  }

  /** Lines waiting for their batch to fill; a follower flushes them on a timer. */
  flush(): LineBatch | undefined {
    return this.lines.length > 0 ? this.cut() : undefined;
  }

  private keepPartial(piece: Buffer, ready: LineBatch[]): void {
    if (this.skipping) return;
    // One byte over the limit is kept: it may be the `\r` of a `\r\n`, which is no part of the line.
    const room = this.options.maxLineBytes + 1 - this.partialBytes;
    if (piece.length <= room) {
      this.partial.push(piece);
      this.partialBytes += piece.length;
      return;
    }
    // The line is too long: keep its first maxLineBytes as a truncated line, skip the rest.
    this.partial.push(piece.subarray(0, room));
    const kept = Buffer.concat(this.partial).subarray(0, this.options.maxLineBytes);
    this.skipping = true;
    this.counts.truncated++;
    this.addLine({ offset: this.lineStart, bytes: kept, truncated: true }, this.lineStart);
    this.cutIfFull(ready);
  }

  private takeLine(raw: Buffer, atEnd: boolean, ready: LineBatch[]): void {
    let bytes = raw;
    if (!atEnd && bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN) {
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    if (bytes.length > this.options.maxLineBytes) {
      this.counts.truncated++;
      this.addLine(
        { offset: this.lineStart, bytes: bytes.subarray(0, this.options.maxLineBytes), truncated: true },
        this.lineEnd,
      );
    } else if (isBlank(bytes)) {
      this.counts.blank++;
      return;
    } else {
      this.addLine({ offset: this.lineStart, bytes, truncated: false }, this.lineEnd);
    }
    this.cutIfFull(ready);
  }

  private cutIfFull(ready: LineBatch[]): void {
    if (this.lines.length >= this.options.batchLines || this.batchBytes >= this.options.batchBytes) {
      ready.push(this.cut());
    }
  }

  private addLine(line: LogLine, end: number): void {
    this.streamId ??= streamIdOf(this.options.source, line.bytes);
    this.pendingEnd = end;
    this.lines.push(line);
    this.batchBytes += line.bytes.length;
    this.counts.lines++;
  }

  private cut(): LineBatch {
    const batch: LineBatch = {
      source: this.options.source,
      streamId: this.streamId as Buffer,
      readAtMs: this.now(),
      lines: this.lines,
    };
    this.ends.set(batch, this.pendingEnd);
    this.lines = [];
    this.batchBytes = 0;
    return batch;
  }
}

function isBlank(bytes: Buffer): boolean {
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index];
    if (byte !== 0x20 && byte !== 0x09 && byte !== CARRIAGE_RETURN) return false;
  }
  return true;
}
