/**
 * Follows files like `tail -F`, as an async iterable of line batches: the files that match the
 * patterns now and later, through rename-and-create rotation, copytruncate, deletion and re-creation.
 * It reacts to file-system events (`fs.watch` on the directories) and polls as a fallback, hands out a
 * partial batch once it has waited `batchLingerMs`, and keeps one checkpoint per file, moved only when
 * the caller confirms batches (`confirm`), to the end of the last batch confirmed with all before it.
 *
 * Iteration pulls: nothing is read while the caller is not asking for batches, so a slow broker slows
 * reading instead of filling memory.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { LineBatch } from '../../domain/index.js';
import { InputError, messageOf } from '../../errors.js';
import type { Source, SourceCounts } from '../source.js';
import { checkpointKeyOf, openCheckpointStore } from '../checkpoint/index.js';
import type { Checkpoint, CheckpointStore } from '../checkpoint/index.js';
import { compileFileGlob } from './file-glob.js';
import type { FileGlob } from './file-glob.js';
import { identityOfHandle, identityOfPath, isGone, startsWith } from './file-identity.js';
import type { FileIdentity } from './file-identity.js';
import { planCatchUp } from './generations.js';
import type { CatchUpPlan } from './generations.js';
import { Tailer, lastLineStart } from './tailer.js';
import type { BatchTicket, TailedBatch, TailerSettings, TailerStart } from './tailer.js';

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
  const globs: FileGlob[] = [];
  const problems: string[] = [];
  for (const pattern of options.patterns) {
    const glob = compileFileGlob(pattern);
    if (typeof glob === 'string') problems.push(glob);
    else globs.push(glob);
  }
  if (globs.length === 0 && problems.length === 0) problems.push('no file to follow');
  if (problems.length > 0) throw new InputError(`--follow: ${problems.join('; ')}`);
  const store = await openCheckpointStore(options.stateDir);
  return new Follower(options, globs, store);
}

const READ_CHUNK_BYTES = 1024 * 1024;

class Follower implements FileFollower {
  /** What the follower did that no tailer keeps: see `counts`. */
  private readonly tally = { lines: 0, confirmed: 0, rotations: 0, truncations: 0, lostBytes: 0 };
  /** What the tailers closed so far read (blank and cut lines, bytes). */
  private readonly retiredReads = { blank: 0, truncated: 0, bytes: 0 };
  private readonly tailers = new Map<string, Tailer>();
  private readonly known = new Map<string, Checkpoint>();
  private readonly tickets = new WeakMap<LineBatch, BatchTicket>();
  private readonly ready: TailedBatch[] = [];
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly unreadable = new Set<string>();
  /** Paths that had checkpoints at start-up: a file found there now was created while stopped. */
  private readonly followedBefore = new Set<string>();
  private recordLoss: ((bytes: number) => void) | undefined;
  private readonly settings: TailerSettings;
  private readonly now: () => number;
  private started = false;
  private stopping = false;
  private pollDue = true;
  private rescanDue = true;
  private readDue = true;
  private pollTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly options: FollowOptions,
    private readonly globs: readonly FileGlob[],
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
    for (const tailer of this.tailers.values()) {
      const counts = tailer.readCounts;
      read.blank += counts.blank;
      read.truncated += counts.truncated;
      read.bytes += counts.bytes;
    }
    return { ...this.tally, ...read, files: this.tailers.size };
  }

  async *batches(): AsyncGenerator<LineBatch> {
    if (!this.started) await this.start();
    for (;;) {
      const next = this.ready.shift();
      if (next) {
        this.tickets.set(next.batch, next.ticket);
        this.tally.lines += next.batch.lines.length;
        yield next.batch;
        continue;
      }
      if (this.stopping) break;
      if (this.pollDue || this.rescanDue || this.readDue) {
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
      const last: TailedBatch[] = [];
      for (let more = true; more;) {
        const read = await tailer.read();
        last.push(...read.batches);
        more = read.more;
      }
      last.push(...tailer.flushDue(0, 0, true));
      for (const { batch, ticket } of last) {
        this.tickets.set(batch, ticket);
        this.tally.lines += batch.lines.length;
        yield batch;
      }
    }
  }

  lag(): Array<{ readonly path: string; readonly bytes: number }> {
    return [...this.tailers.values()].map((tailer) => ({
      path: tailer.path,
      bytes: Math.max(0, tailer.sizeSeen - tailer.offsets.offset),
    }));
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
    if (ticket.generation === tailer.generation) {
      if (tailer.offsets.confirm(ticket.ticket) !== undefined) void this.saveCheckpoint(tailer);
    } else if (tailer.previous?.generation === ticket.generation) {
      tailer.previous.offsets.confirm(ticket.ticket);
      if (tailer.previous.offsets.outstanding === 0) {
        tailer.previous = undefined;
        void this.saveCheckpoint(tailer);
      }
    }
    if (tailer.ended && tailer.offsets.outstanding === 0) void this.retire(tailer);
  }

  async close(): Promise<void> {
    this.stop();
    for (const tailer of this.tailers.values()) {
      void this.saveCheckpoint(tailer);
      await tailer.close();
    }
    for (const tailer of this.tailers.values()) this.addRetiredReads(tailer);
    this.tailers.clear();
    await this.store.flush().catch((error: unknown) => this.checkpointFailed(error));
  }

  private stop(): void {
    this.stopping = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
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
    this.started = true;
    for (const checkpoint of await this.store.load((file, why) =>
      this.options.log?.warn({ file, why }, 'ignoring an unreadable checkpoint'),
    )) {
      this.known.set(checkpointKeyOf(checkpoint.dev, checkpoint.ino), checkpoint);
    }
    const loaded = [...this.known.values()];
    for (const checkpoint of loaded) this.followedBefore.add(checkpoint.path);
    // Older generations first: the follower reads a path's generations in the order they were opened.
    await this.catchUp(await planCatchUp(loaded, (path) => this.isFollowed(path)));
    await this.discover(true);
    this.pollTimer = setInterval(() => {
      this.pollDue = true;
      this.notify();
    }, this.options.pollIntervalMs);
    this.watchDirectories();
  }

  /** One round: find files (on a poll or a rename event), notice rotations, read what is new. */
  private async step(): Promise<void> {
    const now = this.now();
    if (this.pollDue || this.rescanDue) {
      const polled = this.pollDue;
      this.pollDue = false;
      this.rescanDue = false;
      if (polled) this.watchDirectories();
      const matched = await this.discover(false);
      for (const tailer of this.tailers.values()) {
        if (matched.has(tailer.key)) tailer.detachedAtMs = undefined;
        else if (tailer.detachedAtMs === undefined && !tailer.ended) {
          tailer.detachedAtMs = now;
          this.tally.rotations++;
          this.options.log?.info(
            { path: tailer.path },
            'file renamed or deleted: reading it to its end, then following its successor',
          );
        }
      }
      if (polled) await this.checkRewritten();
      await this.endQuietDetached(now);
    }
    this.readDue = false;
    // A generation waits while an older one of the same path has bytes to read, so lines keep their order.
    const busy = new Set<string>();
    for (const tailer of [...this.tailers.values()]) {
      if (busy.has(tailer.followedPath)) {
        this.readDue = true;
        continue;
      }
      const { batches, more } = await tailer.read();
      this.ready.push(...batches);
      if (more) {
        this.readDue = true;
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
    const waiting = this.waitingForOlder();
    for (const tailer of [...this.tailers.values()]) {
      if (tailer.ended || tailer.detachedAtMs === undefined || waiting.has(tailer)) continue;
      const quietSince = Math.max(tailer.detachedAtMs, tailer.lastGrowthAtMs);
      if (now - quietSince < this.options.rotateWaitMs) continue;
      for (let more = true; more;) {
        const read = await tailer.read();
        this.ready.push(...read.batches);
        more = read.more;
      }
      this.ready.push(...tailer.end());
      this.options.log?.info({ path: tailer.path, bytes: tailer.readPosition }, 'finished a rotated file');
      if (tailer.offsets.outstanding === 0) await this.retire(tailer);
    }
  }

  /** Tailers not read yet because an older generation of their path still has bytes to read. */
  private waitingForOlder(): Set<Tailer> {
    const busy = new Set<string>();
    const waiting = new Set<Tailer>();
    for (const tailer of this.tailers.values()) {
      if (busy.has(tailer.followedPath)) waiting.add(tailer);
      else if (tailer.hasUnread) busy.add(tailer.followedPath);
    }
    return waiting;
  }

  /** An ended file whose lines are all confirmed: last checkpoint, then close it. */
  private async retire(tailer: Tailer): Promise<void> {
    if (this.tailers.get(tailer.key) !== tailer) return;
    this.tailers.delete(tailer.key);
    this.addRetiredReads(tailer);
    void this.saveCheckpoint(tailer);
    await tailer.close();
  }

  private addRetiredReads(tailer: Tailer): void {
    const counts = tailer.readCounts;
    this.retiredReads.blank += counts.blank;
    this.retiredReads.truncated += counts.truncated;
    this.retiredReads.bytes += counts.bytes;
  }

  /** Opens the matching files not yet followed; returns the keys of every file that matches. */
  private async discover(initial: boolean): Promise<Set<string>> {
    const matched = new Set<string>();
    for (const glob of this.globs) {
      for (const name of await namesIn(glob)) {
        const path = join(glob.dir, name);
        const identity = await identityOfPath(path);
        if (!identity?.isFile) continue;
        const key = checkpointKeyOf(identity.dev, identity.ino);
        matched.add(key);
        const tailer = this.tailers.get(key);
        if (tailer) {
          if (tailer.detachedAtMs !== undefined) tailer.reattach(path);
          continue;
        }
        await this.follow(path, identity, initial);
      }
    }
    return matched;
  }

  private async follow(path: string, identity: FileIdentity, initial: boolean): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isGone(error)) return;
      if (!this.unreadable.has(path)) {
        this.unreadable.add(path);
        this.options.log?.warn({ path, error: messageOf(error) }, 'cannot read a matching file; skipping it');
      }
      return;
    }
    const opened = await identityOfHandle(handle);
    if (opened.dev !== identity.dev || opened.ino !== identity.ino) {
      // Replaced between the look and the open: the next round finds the new one.
      await handle.close();
      return;
    }
    const key = checkpointKeyOf(opened.dev, opened.ino);
    const checkpoint = this.known.get(key);
    let start: TailerStart;
    let how: string;
    if (
      checkpoint &&
      checkpoint.offset <= opened.size &&
      (await startsWith(handle, opened.size, checkpoint.fingerprint))
    ) {
      start = startOfCheckpoint(checkpoint, path);
      how = 'resuming after the last confirmed line';
    } else if (initial && this.options.from === 'end' && !this.followedBefore.has(path)) {
      start = { path, source: this.sourceOf(path), offset: await lastLineStart(handle, opened.size) };
      how = 'new lines only (--from end)';
    } else {
      start = { path, source: this.sourceOf(path), offset: 0 };
      how = checkpoint ? 'a new file in a reused inode: from its start' : 'from its start';
    }
    const tailer = await Tailer.open(handle, start, this.settings);
    this.tailers.set(key, tailer);
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
      tailer.detachedAtMs = this.now();
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

  private isFollowed(path: string): boolean {
    return this.globs.some((glob) => glob.dir === dirname(path) && glob.matches(basename(path)));
  }

  private sourceOf(path: string): string {
    return this.options.source ?? basename(path);
  }

  private saveCheckpoint(tailer: Tailer): Promise<void> {
    // While the stream before a truncation awaits confirms, its checkpoint stands.
    if (tailer.previous) return Promise.resolve();
    const checkpoint: Checkpoint = {
      version: 1,
      dev: tailer.dev,
      ino: tailer.ino,
      fingerprint: tailer.fingerprint,
      path: tailer.followedPath,
      source: tailer.source,
      streamId: tailer.splitter.stream?.toString('hex') ?? null,
      offset: tailer.offsets.offset,
      ...(tailer.ended && tailer.offsets.outstanding === 0 ? { finished: true as const } : {}),
      updatedAt: new Date(this.now()).toISOString(),
    };
    this.known.set(tailer.key, checkpoint);
    return this.store.save(checkpoint).catch((error: unknown) => this.checkpointFailed(error));
  }

  private checkpointFailed(error: unknown): void {
    this.options.log?.error(
      { stateDir: this.store.dir, error: messageOf(error) },
      'cannot write a checkpoint; a restart would send some lines again',
    );
  }

  /** Watches each directory of the patterns; a missing one is watched once it exists (next poll). */
  private watchDirectories(): void {
    if (this.stopping) return;
    for (const glob of this.globs) {
      if (this.watchers.has(glob.dir)) continue;
      try {
        const watcher = watch(glob.dir, { persistent: false }, (event) => {
          if (event === 'rename') this.rescanDue = true;
          this.readDue = true;
          this.notify();
        });
        watcher.on('error', () => {
          watcher.close();
          this.watchers.delete(glob.dir);
        });
        this.watchers.set(glob.dir, watcher);
      } catch {
        // No such directory yet, or no inotify: the poll covers it.
      }
    }
  }
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

async function namesIn(glob: FileGlob): Promise<string[]> {
  if (glob.literal) return [basename(glob.pattern)];
  try {
    return (await readdir(glob.dir)).filter((name) => glob.matches(name));
  } catch (error) {
    if (isGone(error)) return [];
    throw error;
  }
}
