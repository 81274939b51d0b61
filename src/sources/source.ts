/**
 * What every source is to the publish loop (`pipeline/publish.ts`): a file read once, standard input,
 * followed files, the simulator. One shape, so one loop publishes them all.
 *
 * Why this shape:
 * - `batches()` is pulled: a source reads only as fast as the loop takes batches, and the loop takes
 *   them only as fast as the broker confirms, so memory stays bounded whatever the input's size.
 * - `counts` is read by the loop when it needs it (per batch, at the end), instead of pushed through a
 *   callback: what a source read, blank and cut lines included, reaches the summary the same way for
 *   every source.
 * - `confirm`, `watchLosses` and `close` are optional: only a source that keeps checkpoints (the
 *   follower) needs to hear of confirms, and only one holding files or timers needs closing.
 */
import type { LineBatch } from '../domain/index.js';

/** What a source has read so far. */
export interface SourceCounts {
  /** Non-blank lines handed out in batches. */
  readonly lines: number;
  /** Blank lines skipped, and lines cut at the maximum line length. */
  readonly blank: number;
  readonly truncated: number;
  /** Bytes read in this run, line endings included. */
  readonly bytes: number;
}

export interface Source {
  /** What to call it in messages and progress: a path, `stdin`, the followed patterns, `simulator`. */
  readonly name: string;
  /** Size in bytes when known in advance (a file read once), for progress. */
  readonly sizeBytes?: number;
  /** The line batches, in order; ends when the source ends (a live one: when it is stopped). */
  batches(): AsyncIterable<LineBatch>;
  readonly counts: Readonly<SourceCounts>;
  /** The broker confirmed `batch` (in any order): a source with checkpoints moves them. */
  confirm?(batch: LineBatch): void;
  /** Where to report bytes the source can no longer read (rotated files lost while stopped). */
  watchLosses?(record: (bytes: number) => void): void;
  /** Called once every batch is confirmed: last checkpoints, files and timers closed. */
  close?(): Promise<void>;
}

export const NO_COUNTS: Readonly<SourceCounts> = Object.freeze({
  lines: 0,
  blank: 0,
  truncated: 0,
  bytes: 0,
});
