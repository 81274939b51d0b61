/**
 * One followed file, open: reads what is appended past the last byte read, turns it into line batches
 * and keeps, per stream, which of them the broker has confirmed. It notices a truncation (copytruncate)
 * and starts a new stream at 0, after reading the rest of the old content from the copy when one is
 * there. It holds the file open, so a renamed or deleted file can still be read to its end.
 */
import type { FileHandle } from 'node:fs/promises';
import type { LineBatch } from '../../domain/index.js';
import { ContiguousOffsets, FINGERPRINT_BYTES } from '../checkpoint/index.js';
import type { Checkpoint, Fingerprint } from '../checkpoint/index.js';
import { LineSplitter } from '../file/index.js';
import { findCopy } from './copies.js';
import { fingerprintOf, grownFingerprint, identityOfHandle, readAt, startsWith } from './file-identity.js';
import type { FileIdentity } from './file-identity.js';

export interface TailerSettings {
  readonly batchLines: number;
  readonly batchBytes: number;
  readonly maxLineBytes: number;
  /** Bytes read from one file at a time, so that one busy file does not starve the others. */
  readonly readChunkBytes: number;
  readonly now: () => number;
}

export interface TailerStart {
  readonly path: string;
  /** The path the patterns matched, whose generations this file is one of; `path` by default. */
  readonly followedPath?: string;
  readonly source: string;
  /** Byte offset to read from. */
  readonly offset: number;
  /** The stream id when known (from a checkpoint); else taken from the file's first line. */
  readonly streamId?: Buffer;
}

/** Which stream of which tailer a sent batch belongs to, and its place among the batches sent. */
export interface BatchTicket {
  readonly tailer: Tailer;
  readonly generation: number;
  readonly ticket: number;
}

/** A batch handed out, with its ticket for `confirm`. */
export interface TailedBatch {
  readonly batch: LineBatch;
  readonly ticket: BatchTicket;
}

export interface ReadResult {
  readonly batches: TailedBatch[];
  /** More bytes are waiting past what was read. */
  readonly more: boolean;
}

/** What a tailer read, beyond the lines it handed out. */
export interface ReadCounts {
  blank: number;
  truncated: number;
  bytes: number;
}

export class Tailer {
  readonly dev: string;
  readonly ino: string;
  readonly source: string;
  /**
   * The path the patterns matched when it was first followed: its generations are named after it, and
   * they are read in order (an older one before a newer one).
   */
  readonly followedPath: string;
  /** Where the file is now; it may no longer name this file once it is detached. */
  private currentPath: string;
  /** The file's first bytes as read so far (up to `FINGERPRINT_BYTES`): how it is recognised. */
  private head: Fingerprint;
  /** Bumped when the file is truncated: confirms of the older stream no longer move the checkpoint. */
  private generation = 0;
  private splitter: LineSplitter;
  private offsets: ContiguousOffsets;
  /**
   * The stream before the last truncation while some of its batches await their confirm: until they
   * are confirmed, the checkpoint keeps naming that stream, so a crash meanwhile loses none of them.
   */
  private previous: { readonly generation: number; readonly offsets: ContiguousOffsets } | undefined;
  /** The next byte to read. */
  private position: number;
  /** The file's size when last looked at: what there is to read, for the lag. */
  private sizeSeen: number;
  /** When the path stopped naming this file (renamed or deleted); it is read until quiet, then ended. */
  private detachedSinceMs: number | undefined;
  private lastGrowthMs: number;
  /** When the oldest line still waiting in the splitter arrived. */
  private pendingSince: number | undefined;
  /** Ended: every line is handed out; it waits only for confirms. */
  private isEnded = false;
  /** What the streams before the last truncation read. */
  private readonly earlierReads: ReadCounts = { blank: 0, truncated: 0, bytes: 0 };
  private readonly handle: FileHandle;
  private readonly settings: TailerSettings;

  private constructor(
    handle: FileHandle,
    identity: FileIdentity,
    fingerprint: Fingerprint,
    start: TailerStart,
    settings: TailerSettings,
  ) {
    this.handle = handle;
    this.dev = identity.dev;
    this.ino = identity.ino;
    this.source = start.source;
    this.currentPath = start.path;
    this.followedPath = start.followedPath ?? start.path;
    this.head = fingerprint;
    this.settings = settings;
    this.position = start.offset;
    this.sizeSeen = identity.size;
    this.lastGrowthMs = settings.now();
    this.splitter = this.newSplitter(start.offset, start.streamId);
    this.offsets = new ContiguousOffsets(start.offset);
  }

  /**
   * Opens the file at `start.path` (or the already open `handle`) to read from `start.offset`. When
   * the offset is past 0 and no stream id is known, the id is taken from the file's first line, so that
   * the lines get the same event ids as when the file is read whole.
   */
  static async open(handle: FileHandle, start: TailerStart, settings: TailerSettings): Promise<Tailer> {
    const identity = await identityOfHandle(handle);
    const fingerprint = await fingerprintOf(handle, identity.size);
    const streamId = start.streamId ?? (await streamIdBefore(handle, start, settings));
    return new Tailer(handle, identity, fingerprint, { ...start, streamId }, settings);
  }

  get key(): string {
    return `${this.dev}-${this.ino}`;
  }

  get fingerprint(): Fingerprint {
    return this.head;
  }

  /** Where the file is now (its last name, once detached). */
  get path(): string {
    return this.currentPath;
  }

  /** The next byte to read. */
  get readPosition(): number {
    return this.position;
  }

  /** When the path stopped naming this file; undefined while it does. */
  get detachedAtMs(): number | undefined {
    return this.detachedSinceMs;
  }

  /** When the file last grew, or was opened. */
  get lastGrowthAtMs(): number {
    return this.lastGrowthMs;
  }

  /** When the oldest line waiting for its batch arrived; undefined when none waits. */
  get pendingSinceMs(): number | undefined {
    return this.pendingSince;
  }

  /** Every line is handed out: the file waits only for confirms. */
  get ended(): boolean {
    return this.isEnded;
  }

  /** Ended, and every batch confirmed: nothing more to do but the last checkpoint and closing. */
  get settled(): boolean {
    return this.isEnded && this.offsets.outstanding === 0;
  }

  /** Bytes written to the file that the broker has not confirmed yet (read or not). */
  get lagBytes(): number {
    return Math.max(0, this.sizeSeen - this.offsets.offset);
  }

  /**
   * The path no longer names this file (renamed or deleted): it is read until quiet, then ended.
   * True the first time, when it was not ended already.
   */
  detach(nowMs: number): boolean {
    if (this.detachedSinceMs !== undefined || this.isEnded) return false;
    this.detachedSinceMs = nowMs;
    return true;
  }

  /** The patterns match this file again, at `path` (renamed back, or to another matching name). */
  reattach(path: string): void {
    this.currentPath = path;
    this.detachedSinceMs = undefined;
  }

  /**
   * The broker confirmed a batch of this file. True when the checkpoint moved (the caller saves it):
   * its stream's contiguous confirmed end moved, or the last awaited batch of the stream before a
   * truncation came, so the checkpoint may name the current stream at last.
   */
  confirm(ticket: BatchTicket): boolean {
    if (ticket.generation === this.generation) return this.offsets.confirm(ticket.ticket) !== undefined;
    if (this.previous?.generation !== ticket.generation) return false;
    this.previous.offsets.confirm(ticket.ticket);
    if (this.previous.offsets.outstanding > 0) return false;
    this.previous = undefined;
    return true;
  }

  /**
   * The checkpoint to store now; undefined while the stream before a truncation awaits confirms
   * (its checkpoint stands until then).
   */
  checkpoint(updatedAt: string): Checkpoint | undefined {
    if (this.previous) return undefined;
    return {
      version: 1,
      dev: this.dev,
      ino: this.ino,
      fingerprint: this.head,
      path: this.followedPath,
      source: this.source,
      streamId: this.splitter.stream?.toString('hex') ?? null,
      offset: this.offsets.offset,
      ...(this.settled ? { finished: true as const } : {}),
      updatedAt,
    };
  }

  /** Blank lines skipped, lines cut and bytes read in this run, over every stream of the file. */
  get readCounts(): Readonly<ReadCounts> {
    const current = this.splitter.counts;
    return {
      blank: this.earlierReads.blank + current.blank,
      truncated: this.earlierReads.truncated + current.truncated,
      bytes: this.earlierReads.bytes + current.bytes,
    };
  }

  /** Bytes are waiting past the read position (or the file was not read yet). */
  get hasUnread(): boolean {
    return !this.isEnded && this.position < this.sizeSeen;
  }

  /** Takes batches just cut by the current splitter: each is on its way, in this order. */
  private tag(batches: readonly LineBatch[]): TailedBatch[] {
    return batches.map((batch) => {
      const end = this.splitter.positionAfter(batch) ?? this.offsets.offset;
      return { batch, ticket: { tailer: this, generation: this.generation, ticket: this.offsets.sent(end) } };
    });
  }

  /**
   * Reads up to `readChunkBytes` new bytes. A size below what was read (a truncation) reads nothing:
   * `rewritten` tells, and `restartTruncated` starts the new stream.
   */
  async read(): Promise<ReadResult> {
    if (this.isEnded) return { batches: [], more: false };
    const { size } = await identityOfHandle(this.handle);
    this.sizeSeen = size;
    if (size <= this.position) return { batches: [], more: false };
    const length = Math.min(size - this.position, this.settings.readChunkBytes);
    const chunk = await readAt(this.handle, this.position, length);
    this.position += chunk.length;
    this.lastGrowthMs = this.settings.now();
    if (this.head.bytes < FINGERPRINT_BYTES && this.head.bytes < size) {
      this.head = await grownFingerprint(this.handle, size, this.head);
    }
    const batches = this.tag(this.splitter.push(chunk));
    this.notePending();
    return { batches, more: this.position < size };
  }

  /** Reads until nothing more is waiting. */
  async readToEnd(): Promise<TailedBatch[]> {
    const batches: TailedBatch[] = [];
    for (let more = true; more;) {
      const read = await this.read();
      batches.push(...read.batches);
      more = read.more;
    }
    return batches;
  }

  /**
   * A file truncated and written again past the old read position has a new head: checked on poll
   * ticks, since the size alone cannot tell.
   */
  async rewritten(): Promise<boolean> {
    if (this.isEnded) return false;
    const { size } = await identityOfHandle(this.handle);
    if (size < this.position) return true;
    return this.head.bytes > 0 && !(await startsWith(this.handle, size, this.head));
  }

  /** Handles a truncation found by `rewritten`. */
  async restartTruncated(): Promise<TailedBatch[]> {
    const batches = await this.readRestFromCopy();
    batches.push(...this.splitter.end());
    const tagged = this.tag(batches);
    if (this.offsets.outstanding > 0) this.previous = { generation: this.generation, offsets: this.offsets };
    const { blank, truncated, bytes } = this.readCounts;
    Object.assign(this.earlierReads, { blank, truncated, bytes });
    this.generation++;
    this.position = 0;
    this.splitter = this.newSplitter(0, undefined);
    this.offsets = new ContiguousOffsets(0);
    this.pendingSince = undefined;
    const { size } = await identityOfHandle(this.handle);
    this.head = await fingerprintOf(this.handle, size);
    return tagged;
  }

  /** Lines waiting for their batch, when they have waited `lingerMs`; or all of them with `force`. */
  flushDue(nowMs: number, lingerMs: number, force = false): TailedBatch[] {
    if (this.pendingSince === undefined) return [];
    if (!force && nowMs - this.pendingSince < lingerMs) return [];
    this.pendingSince = undefined;
    const batch = this.splitter.flush();
    return batch ? this.tag([batch]) : [];
  }

  /**
   * Ends the stream: the last line, even without its newline, is handed out as it is. Called once a
   * detached file has been quiet for the rotate wait.
   */
  end(): TailedBatch[] {
    this.isEnded = true;
    this.pendingSince = undefined;
    return this.tag(this.splitter.end());
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  private newSplitter(startOffset: number, streamId: Buffer | undefined): LineSplitter {
    return new LineSplitter({
      source: this.source,
      batchLines: this.settings.batchLines,
      batchBytes: this.settings.batchBytes,
      maxLineBytes: this.settings.maxLineBytes,
      now: this.settings.now,
      startOffset,
      streamId,
    });
  }

  private notePending(): void {
    if (this.splitter.waiting === 0) this.pendingSince = undefined;
    else this.pendingSince ??= this.settings.now();
  }

  /**
   * copytruncate copies the file, then truncates it: the lines between the last read and the copy are
   * in the copy, found as `copies.ts` finds every copy.
   */
  private async readRestFromCopy(): Promise<LineBatch[]> {
    const found = await findCopy(
      this.currentPath,
      { fingerprint: this.head, offset: this.position },
      this.key,
    );
    if (!found) return [];
    const copy = found.handle;
    const batches: LineBatch[] = [];
    try {
      for (let position = this.position; ;) {
        const chunk = await readAt(copy, position, this.settings.readChunkBytes);
        if (chunk.length === 0) break;
        position += chunk.length;
        batches.push(...this.splitter.push(chunk));
      }
    } finally {
      await copy.close();
    }
    return batches;
  }
}

/** The stream id of a file read from `start.offset`: that of its first non-blank line before it. */
async function streamIdBefore(
  handle: FileHandle,
  start: TailerStart,
  settings: TailerSettings,
): Promise<Buffer | undefined> {
  if (start.offset === 0) return undefined;
  const splitter = new LineSplitter({
    source: start.source,
    batchLines: 1,
    batchBytes: Number.MAX_SAFE_INTEGER,
    maxLineBytes: settings.maxLineBytes,
  });
  for (let position = 0; position < start.offset && splitter.stream === undefined;) {
    const chunk = await readAt(handle, position, Math.min(64 * 1024, start.offset - position));
    if (chunk.length === 0) break;
    position += chunk.length;
    splitter.push(chunk);
  }
  return splitter.stream;
}

/** Where `--from end` starts: just after the file's last newline, so a line being written is read whole. */
export async function lastLineStart(handle: FileHandle, size: number): Promise<number> {
  const step = 64 * 1024;
  for (let end = size; end > 0; end -= step) {
    const from = Math.max(0, end - step);
    const chunk = await readAt(handle, from, end - from);
    const newline = chunk.lastIndexOf(0x0a);
    if (newline !== -1) return from + newline + 1;
  }
  return 0;
}
