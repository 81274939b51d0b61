/**
 * Follows files like `tail -F`, as a source of line batches: the files that match the
 * patterns now and later, through rename-and-create rotation, copytruncate, deletion and re-creation.
 * It reacts to file-system events (`fs.watch` on the directories) and polls as a fallback, hands out a
 * partial batch once it has waited `batchLingerMs`, and keeps one checkpoint per file, moved only when
 * the caller confirms batches (`confirm`), to the end of the last batch confirmed with all before it.
 *
 * Iteration pulls: nothing is read while the caller is not asking for batches, so a slow broker slows
 * reading instead of filling memory.
 *
 * The follower schedules and keeps the checkpoints; what it schedules lives beside it: finding the
 * files (`discovery.ts`), when a file is rotated away and finished (`rotation.ts`, and at start-up
 * `generations.ts`), and reading one file (`tailer.ts`).
 */
import { basename } from 'node:path';
import type { Logger } from 'pino';
import type { LineBatch } from '../../domain/index.js';
import { messageOf } from '../../errors.js';
import type { Source, SourceCounts } from '../source.js';
import { checkpointKeyOf, openCheckpointStore } from '../checkpoint/index.js';
import type { Checkpoint, CheckpointStore } from '../checkpoint/index.js';
import { Discovery } from './discovery.js';
import type { DirectoryEvent, MatchedFile } from './discovery.js';
import { startsWith } from './file-identity.js';
import { planCatchUp } from './generations.js';
import type { CatchUpPlan } from './generations.js';
import { detachUnmatched, dueToEnd } from './rotation.js';
import { Tailer, lastLineStart } from './tailer.js';
import type { BatchTicket, ReadCounts, TailedBatch, TailerSettings, TailerStart } from './tailer.js';

export interface FollowOptions {
  /** Paths, or paths with wildcards in the file name (`/var/log/nginx/*.log`). */
  readonly patterns: readonly string[];
  /** Where the checkpoints are kept (created if missing). One directory per producer. */
  readonly stateDir: string;
  /** Files present at start-up without a checkpoint: read from the start, or only their new lines. */
  readonly from: 'start' | 'end';
  /** Source name for every file; by default each file's base name. */
  readonly source?: string;
  readonly batchLines: number;
  readonly batchBytes: number;
  readonly maxLineBytes: number;
  /** How long lines wait for their batch to fill before it is handed out anyway, in ms. */
  readonly batchLingerMs: number;
  /** How often files are checked when no file-system event came, in ms. */
  readonly pollIntervalMs: number;
  /** How long a renamed or deleted file is still read after its last growth, in ms. */
  readonly rotateWaitMs: number;
  readonly log?: Logger;
  /** Stops following: the complete lines written until then are handed out, then the iteration ends. */
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

export interface FollowCounts extends SourceCounts {
  /** Files open now. */
  readonly files: number;
  /** Lines whose batch was confirmed. */
  readonly confirmed: number;
  /** Files that were renamed or deleted while followed, and truncations seen. */
  readonly rotations: number;
  readonly truncations: number;
  /** Bytes of rotated generations found deleted or compressed before they were read (when known). */
  readonly lostBytes: number;
}

/** Followed files as a source: it ends once its signal is aborted and the lines it holds are out. */
export interface FileFollower extends Source {
  /** Tells the follower that the broker confirmed `batch` (in any order). */
  confirm(batch: LineBatch): void;
  readonly counts: Readonly<FollowCounts>;
  /**
   * Per followed file, the bytes written to it that RabbitMQ has not confirmed yet (read or not):
   * how far behind the follower is, as the size it last saw less the checkpointed offset.
   */
  lag(): Array<{ readonly path: string; readonly bytes: number }>;
  /**
   * Where to report bytes that can no longer be read (a generation deleted or compressed while
   * lograbbit was stopped), once each; those found before the call are reported at once.
   */
  watchLosses(record: (bytes: number) => void): void;
  /** Stops, writes every checkpoint and closes the files. */
  close(): Promise<void>;
}

/** Checks the patterns (a bad one is an input error, exit 2) and opens the state directory. */
export async function followFiles(options: FollowOptions): Promise<FileFollower> {
  const discovery = Discovery.of(options.patterns);
  const store = await openCheckpointStore(options.stateDir);
  return new Follower(options, discovery, store);
}

const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * What the next round has to do, each level including those below it: read what is new (`read`),
 * also look for files that came or went (`rescan`, on a directory event), also check for
 * truncations and unwatched directories (`poll`, on the timer).
 */
const NOTHING_DUE = 0;
const READ_DUE = 1;
const RESCAN_DUE = 2;
const POLL_DUE = 3;
type Due = typeof NOTHING_DUE | typeof READ_DUE | typeof RESCAN_DUE | typeof POLL_DUE;

class Follower implements FileFollower {
  /** What the follower did that no tailer keeps: see `counts`. */
  private readonly tally = { lines: 0, confirmed: 0, rotations: 0, truncations: 0, lostBytes: 0 };
  /** What the tailers closed so far read (blank and cut lines, bytes). */
  private readonly retiredReads: ReadCounts = { blank: 0, truncated: 0, bytes: 0 };
  private readonly tailers = new Map<string, Tailer>();
  private readonly known = new Map<string, Checkpoint>();
  private readonly tickets = new WeakMap<LineBatch, BatchTicket>();
  private readonly ready: TailedBatch[] = [];
  /** Paths that had checkpoints at start-up: a file found there now was created while stopped. */
  private readonly followedBefore = new Set<string>();
  private recordLoss: ((bytes: number) => void) | undefined;
  private readonly settings: TailerSettings;
  private readonly now: () => number;
  private stopping = false;
  private due: Due = POLL_DUE;
  private pollTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly options: FollowOptions,
    private readonly discovery: Discovery,
    private readonly store: CheckpointStore,
  ) {
    this.now = options.now ?? Date.now;
    this.settings = {
      batchLines: options.batchLines,
      batchBytes: options.batchBytes,
      maxLineBytes: options.maxLineBytes,
      readChunkBytes: READ_CHUNK_BYTES,
      now: this.now,
    };
    options.signal?.addEventListener('abort', () => this.stop(), { once: true });
    if (options.signal?.aborted) this.stopping = true;
  }

  get name(): string {
    return this.options.patterns.join(' ');
  }

  get counts(): Readonly<FollowCounts> {
    const read = { ...this.retiredReads };
    for (const tailer of this.tailers.values()) addReads(read, tailer.readCounts);
    return { ...this.tally, ...read, files: this.tailers.size };
  }

  /** The batches until stopped, then the complete lines written until then. Call once. */
  async *batches(): AsyncGenerator<LineBatch> {
    await this.start();
    for (;;) {
      const next = this.ready.shift();
      if (next) {
        yield this.handOut(next);
        continue;
      }
      if (this.stopping) break;
      if (this.due !== NOTHING_DUE) {
        await this.step();
        continue;
      }
      // Caught up with every file: hand out the lines that have waited long enough, then sleep.
      const now = this.now();
      let nextFlushAt = Number.POSITIVE_INFINITY;
      for (const tailer of this.tailers.values()) {
        this.ready.push(...tailer.flushDue(now, this.options.batchLingerMs));
        if (tailer.pendingSinceMs !== undefined) {
          nextFlushAt = Math.min(nextFlushAt, tailer.pendingSinceMs + this.options.batchLingerMs);
        }
      }
      if (this.ready.length === 0) await this.sleep(nextFlushAt - now);
    }
    // Stopping: the complete lines written so far go out; a line without its newline waits for next time.
    for (const tailer of this.tailers.values()) {
      const last = await tailer.readToEnd();
      last.push(...tailer.flushDue(0, 0, true));
      for (const tailed of last) yield this.handOut(tailed);
    }
  }

  lag(): Array<{ readonly path: string; readonly bytes: number }> {
    return [...this.tailers.values()].map((tailer) => ({ path: tailer.path, bytes: tailer.lagBytes }));
  }

  watchLosses(record: (bytes: number) => void): void {
    this.recordLoss = record;
    if (this.tally.lostBytes > 0) record(this.tally.lostBytes);
  }

  confirm(batch: LineBatch): void {
    const ticket = this.tickets.get(batch);
    if (!ticket) return;
    this.tickets.delete(batch);
    this.tally.confirmed += batch.lines.length;
    const { tailer } = ticket;
    if (tailer.confirm(ticket)) void this.saveCheckpoint(tailer);
    if (tailer.settled) void this.retire(tailer);
  }

  async close(): Promise<void> {
    this.stop();
    for (const tailer of this.tailers.values()) {
      void this.saveCheckpoint(tailer);
      await tailer.close();
      addReads(this.retiredReads, tailer.readCounts);
    }
    this.tailers.clear();
    await this.store.flush().catch((error: unknown) => this.checkpointFailed(error));
  }

  private handOut({ batch, ticket }: TailedBatch): LineBatch {
    this.tickets.set(batch, ticket);
    this.tally.lines += batch.lines.length;
    return batch;
  }

  private stop(): void {
    this.stopping = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.discovery.stopWatching();
    this.notify();
  }

  /** Something is due: raise what the next round does, and wake the loop. */
  private raise(due: Due): void {
    if (due > this.due) this.due = due;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async sleep(ms: number): Promise<void> {
    if (this.stopping) return;
    await new Promise<void>((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(resolve, Math.max(0, ms)) : undefined;
      this.wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }

  private async start(): Promise<void> {
    for (const checkpoint of await this.store.load((file, why) =>
      this.options.log?.warn({ file, why }, 'ignoring an unreadable checkpoint'),
    )) {
      this.known.set(checkpointKeyOf(checkpoint.dev, checkpoint.ino), checkpoint);
    }
    const loaded = [...this.known.values()];
    for (const checkpoint of loaded) this.followedBefore.add(checkpoint.path);
    // Older generations first: the follower reads a path's generations in the order they were opened.
    await this.catchUp(await planCatchUp(loaded, (path) => this.discovery.isFollowed(path)));
    await this.discover(true);
    this.pollTimer = setInterval(() => this.raise(POLL_DUE), this.options.pollIntervalMs);
    this.watchDirectories();
  }

  /** One round: find files (on a poll or a rename event), notice rotations, read what is new. */
  private async step(): Promise<void> {
    const due = this.due;
    this.due = NOTHING_DUE;
    const now = this.now();
    if (due >= RESCAN_DUE) {
      if (due === POLL_DUE) this.watchDirectories();
      const matched = await this.discover(false);
      for (const tailer of detachUnmatched(this.tailers.values(), matched, now)) {
        this.tally.rotations++;
        this.options.log?.info(
          { path: tailer.path },
          'file renamed or deleted: reading it to its end, then following its successor',
        );
      }
      if (due === POLL_DUE) await this.checkRewritten();
      await this.endQuietDetached(now);
    }
    // A generation waits while an older one of the same path has bytes to read, so lines keep their order.
    const busy = new Set<string>();
    for (const tailer of [...this.tailers.values()]) {
      if (busy.has(tailer.followedPath)) {
        this.raise(READ_DUE);
        continue;
      }
      const { batches, more } = await tailer.read();
      this.ready.push(...batches);
      if (more) {
        this.raise(READ_DUE);
        busy.add(tailer.followedPath);
      } else if (tailer.detachedAtMs !== undefined) {
        // A rotated file read to its end: its last lines go now, before its successor's.
        this.ready.push(...tailer.flushDue(0, 0, true));
      }
    }
  }

  /** copytruncate, or a truncation followed by new writes past the old size: the head changed. */
  private async checkRewritten(): Promise<void> {
    for (const tailer of this.tailers.values()) {
      if (!(await tailer.rewritten())) continue;
      this.tally.truncations++;
      this.options.log?.info({ path: tailer.path }, 'file truncated: reading it again from its start');
      this.ready.push(...(await tailer.restartTruncated()));
      void this.saveCheckpoint(tailer);
    }
  }

  /** A renamed or deleted file that has been quiet for the rotate wait is read to its end and ended. */
  private async endQuietDetached(now: number): Promise<void> {
    for (const tailer of dueToEnd(this.tailers.values(), now, this.options.rotateWaitMs)) {
      this.ready.push(...(await tailer.readToEnd()));
      this.ready.push(...tailer.end());
      this.options.log?.info({ path: tailer.path, bytes: tailer.readPosition }, 'finished a rotated file');
      if (tailer.settled) await this.retire(tailer);
    }
  }

  /**
   * An ended file whose lines are all confirmed: last checkpoint, then close it. Never rejects (the
   * checkpoint logs its failure, the tailer's close swallows its own), so `confirm` may `void` it.
   */
  private async retire(tailer: Tailer): Promise<void> {
    if (this.tailers.get(tailer.key) !== tailer) return;
    this.tailers.delete(tailer.key);
    addReads(this.retiredReads, tailer.readCounts);
    void this.saveCheckpoint(tailer);
    await tailer.close();
  }

  /** Opens the matching files not yet followed; returns the keys of every file that matches. */
  private async discover(initial: boolean): Promise<Set<string>> {
    const matched = new Set<string>();
    for (const file of await this.discovery.matching()) {
      matched.add(file.key);
      const tailer = this.tailers.get(file.key);
      if (!tailer) await this.follow(file, initial);
      else if (tailer.detachedAtMs !== undefined) tailer.reattach(file.path);
    }
    return matched;
  }

  private async follow(file: MatchedFile, initial: boolean): Promise<void> {
    const opened = await this.discovery.open(file, (path, error) =>
      this.options.log?.warn({ path, error }, 'cannot read a matching file; skipping it'),
    );
    if (!opened) return;
    const { handle, identity } = opened;
    const { path } = file;
    const checkpoint = this.known.get(file.key);
    let start: TailerStart;
    let how: string;
    if (
      checkpoint &&
      checkpoint.offset <= identity.size &&
      (await startsWith(handle, identity.size, checkpoint.fingerprint))
    ) {
      start = startOfCheckpoint(checkpoint, path);
      how = 'resuming after the last confirmed line';
    } else if (initial && this.options.from === 'end' && !this.followedBefore.has(path)) {
      start = { path, source: this.sourceOf(path), offset: await lastLineStart(handle, identity.size) };
      how = 'new lines only (--from end)';
    } else {
      start = { path, source: this.sourceOf(path), offset: 0 };
      how = checkpoint ? 'a new file in a reused inode: from its start' : 'from its start';
    }
    const tailer = await Tailer.open(handle, start, this.settings);
    this.tailers.set(file.key, tailer);
    void this.saveCheckpoint(tailer);
    this.options.log?.info({ path, offset: start.offset, source: start.source }, `following: ${how}`);
  }

  /**
   * At start-up, what logrotate did while lograbbit was stopped: every generation of a checkpointed
   * path that the patterns do not match (`access.log.1`, a copytruncate copy, …) is opened, oldest
   * first, to be read from its checkpoint or, written since, from its start; then read to its end and
   * ended like any rotated file. What cannot be read any more is said once, with its size when known.
   */
  private async catchUp(plan: CatchUpPlan): Promise<void> {
    for (const { handle, start, continues } of plan.reads) {
      const tailer = await Tailer.open(handle, start, this.settings);
      tailer.detach(this.now());
      this.tailers.set(tailer.key, tailer);
      // In order, each on disk before the next: a crash now must not leave a newer generation
      // checkpointed and an older one forgotten.
      await this.saveCheckpoint(tailer);
      this.options.log?.info(
        { path: start.path, was: continues?.path ?? start.followedPath, offset: start.offset },
        continues
          ? 'reading the rest of a file rotated while stopped'
          : 'reading a generation written while stopped, from its start',
      );
    }
    for (const checkpoint of plan.obsolete) {
      const key = checkpointKeyOf(checkpoint.dev, checkpoint.ino);
      // Its inode may hold a newer generation now, followed under the same key.
      if (this.tailers.has(key)) continue;
      this.known.delete(key);
      await this.store.remove(checkpoint.dev, checkpoint.ino);
    }
    for (const lost of plan.lost) {
      if (lost.bytes !== undefined) {
        this.tally.lostBytes += lost.bytes;
        this.recordLoss?.(lost.bytes);
      }
      this.options.log?.warn(
        { path: lost.path, followedPath: lost.followedPath, offset: lost.offset, lostBytes: lost.bytes },
        lost.why === 'compressed'
          ? 'a rotated file was compressed before it was read to its end: its unread bytes lost (logrotate: use delaycompress)'
          : 'a followed file is gone and was not read to its end: its unread bytes lost (how many is unknown)',
      );
    }
  }

  private sourceOf(path: string): string {
    return this.options.source ?? basename(path);
  }

  /** Never rejects (a failure is logged), so a caller that must not wait for the disk may `void` it. */
  private saveCheckpoint(tailer: Tailer): Promise<void> {
    const checkpoint = tailer.checkpoint(new Date(this.now()).toISOString());
    if (!checkpoint) return Promise.resolve();
    this.known.set(tailer.key, checkpoint);
    return this.store.save(checkpoint).catch((error: unknown) => this.checkpointFailed(error));
  }

  private checkpointFailed(error: unknown): void {
    this.options.log?.error(
      { stateDir: this.store.dir, error: messageOf(error) },
      'cannot write a checkpoint; a restart would send some lines again',
    );
  }

  /** Watches the patterns' directories: a rename there may be a rotation; any event, new bytes. */
  private watchDirectories(): void {
    if (this.stopping) return;
    this.discovery.watch((event: DirectoryEvent) => this.raise(event === 'rename' ? RESCAN_DUE : READ_DUE));
  }
}

function addReads(total: ReadCounts, more: Readonly<ReadCounts>): void {
  total.blank += more.blank;
  total.truncated += more.truncated;
  total.bytes += more.bytes;
}

function startOfCheckpoint(checkpoint: Checkpoint, path: string): TailerStart {
  return {
    path,
    followedPath: checkpoint.path,
    source: checkpoint.source,
    offset: checkpoint.offset,
    streamId: checkpoint.streamId === null ? undefined : Buffer.from(checkpoint.streamId, 'hex'),
  };
}
