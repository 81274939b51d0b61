/**
 * Which of the lines a producer published are stored, whoever stores them: another consumer sharing
 * the queues (`run`, `consume`) may take some of them. A line's event id is its stream id and offset,
 * so the lines of one input are a few ranges of ids, and the tables are asked how many rows each range
 * holds: a bounded number of range counts, never a query per line.
 */
import { eventIdOf } from '../domain/index.js';
import type { LineBatch } from '../domain/index.js';
import { countRowsInRanges, isTransientDatabaseError } from '../store/index.js';
import type { Database, EventIdRange, RangeCounts } from '../store/index.js';

/** How the lines of one input (a file, standard input, a followed file's stream) are stored. */
export interface InputLines {
  /** Lines published. */
  readonly lines: number;
  /** Of them, in raw_log. */
  readonly raw: number;
  /** Of them, in clean_log and in rejected_log. */
  readonly clean: number;
  readonly rejected: number;
  /** The ranges of its lines' ids, first to last (one per stream when it is read once). */
  readonly ranges: readonly EventIdRange[];
}

/**
 * Lines per counted range at most: a range whose lines are all stored is not counted again, so a
 * check after the first re-counts only the lines still on their way.
 */
const RANGE_LINES = 20_000;

interface Segment {
  readonly streamId: Buffer;
  readonly first: Buffer;
  lastOffset: number;
  lines: number;
  counts: RangeCounts;
}

interface Tally {
  lines: number;
  raw: number;
  clean: number;
  rejected: number;
  /** Its segments not yet all stored, oldest first; the last may still grow. */
  pending: Segment[];
  /** Every range, for `InputLines.ranges` (kept only when asked). */
  ranges: EventIdRange[] | undefined;
}

export interface StoredLines<Key> {
  /** Records a batch of `input` as published. */
  add(input: Key, batch: LineBatch): void;
  /** Counts the rows of the lines not yet known to be stored; true when all are. */
  check(db: Database): Promise<boolean>;
  /** Lines published, over every input. */
  readonly published: number;
  /** Of them, in raw_log at the last check. */
  readonly inRawLog: number;
  /** Rows of them found at the last check, over the three tables: grows as they are stored. */
  readonly rowsFound: number;
  /** Per input, in the order they were first added. */
  inputs(): Map<Key, InputLines>;
}

/**
 * Starts tracking. `keepRanges` keeps every range for `inputs()` (ingest samples its inputs' rejects);
 * without it, a range all stored is forgotten, so a long `run` holds only the ranges in flight.
 */
export function trackStoredLines<Key>(options: { readonly keepRanges?: boolean } = {}): StoredLines<Key> {
  const tallies = new Map<Key, Tally>();
  let published = 0;
  let inRawLog = 0;
  let rowsFound = 0;
  const tallyOf = (input: Key): Tally => {
    let tally = tallies.get(input);
    if (!tally) {
      tally = {
        lines: 0,
        raw: 0,
        clean: 0,
        rejected: 0,
        pending: [],
        ranges: options.keepRanges ? [] : undefined,
      };
      tallies.set(input, tally);
    }
    return tally;
  };
  const rangeOf = (segment: Segment): EventIdRange => ({
    first: segment.first,
    last: eventIdOf(segment.streamId, segment.lastOffset),
  });
  // What a segment's counts add to its input's: at most its lines (an id of the range may be a line of
  // another read of the same stream, which is stored all the same).
  const settledOf = (segment: Segment): { raw: number; cleanOrRejected: number } => ({
    raw: Math.min(segment.counts.raw, segment.lines),
    cleanOrRejected: Math.min(segment.counts.clean + segment.counts.rejected, segment.lines),
  });
  const isStored = (segment: Segment): boolean => {
    const settled = settledOf(segment);
    return settled.raw === segment.lines && settled.cleanOrRejected === segment.lines;
  };

  return {
    add(input, batch) {
      const { lines } = batch;
      const firstLine = lines[0];
      const lastLine = lines.at(-1);
      if (!firstLine || !lastLine) return;
      const tally = tallyOf(input);
      tally.lines += lines.length;
      published += lines.length;
      const open = tally.pending.at(-1);
      if (open && open.streamId.equals(batch.streamId) && open.lines + lines.length <= RANGE_LINES) {
        open.lastOffset = lastLine.offset;
        open.lines += lines.length;
        return;
      }
      tally.pending.push({
        streamId: batch.streamId,
        first: eventIdOf(batch.streamId, firstLine.offset),
        lastOffset: lastLine.offset,
        lines: lines.length,
        counts: { raw: 0, clean: 0, rejected: 0 },
      });
    },

    async check(db) {
      const segments = [...tallies.values()].flatMap((tally) => tally.pending);
      // The lines of a segment as they are now: a batch added during the query is counted next time.
      const asked = segments.map((segment) => ({ segment, lines: segment.lines, range: rangeOf(segment) }));
      const counts = await countRowsInRanges(
        db,
        asked.map(({ range }) => range),
      );
      asked.forEach(({ segment, lines }, index) => {
        const count = counts[index];
        if (count && segment.lines === lines) segment.counts = count;
      });
      let all = true;
      inRawLog = 0;
      rowsFound = 0;
      for (const tally of tallies.values()) {
        const still: Segment[] = [];
        for (const segment of tally.pending) {
          if (!isStored(segment)) {
            still.push(segment);
            continue;
          }
          const clean = Math.min(segment.counts.clean, segment.lines);
          tally.raw += segment.lines;
          tally.clean += clean;
          tally.rejected += segment.lines - clean;
          tally.ranges?.push(rangeOf(segment));
        }
        tally.pending = still;
        if (still.length > 0) all = false;
        inRawLog += tally.raw;
        rowsFound += 2 * tally.raw;
        for (const segment of still) {
          const settled = settledOf(segment);
          inRawLog += settled.raw;
          rowsFound += settled.raw + settled.cleanOrRejected;
        }
      }
      return all;
    },

    get published() {
      return published;
    },
    get inRawLog() {
      return inRawLog;
    },
    get rowsFound() {
      return rowsFound;
    },

    inputs() {
      const result = new Map<Key, InputLines>();
      for (const [input, tally] of tallies) {
        let { raw, clean, rejected } = tally;
        for (const segment of tally.pending) {
          raw += settledOf(segment).raw;
          clean += Math.min(segment.counts.clean, segment.lines);
          rejected += Math.min(segment.counts.rejected, segment.lines);
        }
        const ranges = [...(tally.ranges ?? []), ...tally.pending.map(rangeOf)];
        result.set(input, { lines: tally.lines, raw, clean, rejected, ranges });
      }
      return result;
    },
  };
}

export interface StoredWaitOptions {
  /** How long to wait while no more of the lines are stored, in ms. */
  readonly patienceMs: number;
  /** True when waiting longer is pointless once nothing moves (a message of ours went to data-dead). */
  readonly hopeless?: () => boolean;
  /** How often the tables are asked, in ms. */
  readonly pollIntervalMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Resolves true once every line `lines` tracks is in raw_log and in clean_log or rejected_log; false
 * when none more was stored for `patienceMs` (another consumer holds them, or they are in data-dead),
 * or at once when the signal aborts. A database away for a while is asked again, patiently.
 */
export async function waitUntilStored<Key>(
  db: Database,
  lines: StoredLines<Key>,
  options: StoredWaitOptions,
): Promise<boolean> {
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  let found = -1;
  let movedAt = performance.now();
  for (;;) {
    let all: boolean | undefined;
    try {
      all = await lines.check(db);
    } catch (error) {
      if (!isTransientDatabaseError(error)) throw error;
      // The database is away (the writers say so, and retry): an outage is not a wait in vain.
      movedAt = performance.now();
    }
    if (all) return true;
    if (options.signal?.aborted) return false;
    if (all === false) {
      const now = performance.now();
      if (lines.rowsFound > found) {
        found = lines.rowsFound;
        movedAt = now;
      } else if (options.hopeless?.() || now - movedAt >= options.patienceMs) {
        return false;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}

/**
 * Checks `lines` every `intervalMs` until stopped, for a live status line: the tables are asked only
 * while some lines are on their way. A failed check (the database away for a moment) waits for the next.
 */
export function checkStoredEvery<Key>(
  db: Database,
  lines: StoredLines<Key>,
  intervalMs: number,
): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const next = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      lines.check(db).then(next, next);
    }, intervalMs);
    timer.unref();
  };
  next();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
