/**
 * Simulated traffic at a steady pace, for `simulate` and for `run` with no path: the simulator's lines
 * (pure and deterministic) released `rate` per second by the wall clock, in small groups, as groups
 * of lines (to a file or standard output) or as a source of line batches for the broker.
 */
import type { LineBatch } from '../../domain/index.js';
import { LineSplitter } from '../file/index.js';
import { NO_COUNTS } from '../source.js';
import type { Source, SourceCounts } from '../source.js';
import type { SimulatedFormat } from './lines.js';
import { createTrafficSimulator } from './simulator.js';

export interface PaceOptions {
  /** Lines per second (wall clock). */
  readonly rate: number;
  /** Stop after this many lines… */
  readonly count?: number;
  /** …or after this long, in ms; with neither, until `signal`. */
  readonly durationMs?: number;
  readonly seed: number;
  /** Time of the first line, epoch ms (default: now); with the seed, it fixes every line. */
  readonly startMs?: number;
  readonly format: SimulatedFormat;
  readonly signal: AbortSignal;
}

/** How often a group of lines is released, in ms: small enough to look like a live server. */
const TICK_MS = 20;
/**
 * Lines released at once, at most. Asked for more lines a second than the machine can make
 * (`--rate 1000000`), the simulator falls behind; without a cap, each group held every line due
 * since the last, and took longer to make than the one before: `simulate --count 10000000 --rate
 * 1000000 --output` grew past 4 GB. Behind, it now goes as fast as it can, this many at a time.
 */
export const MAX_GROUP_LINES = 10_000;

/** Groups of lines, released so that `rate` lines per second come out on average. */
export async function* pacedLines(options: PaceOptions): AsyncGenerator<string[]> {
  const startedAt = Date.now();
  const simulator = createTrafficSimulator({
    seed: options.seed,
    startMs: options.startMs ?? startedAt,
    format: options.format,
    linesPerSecond: options.rate,
  });
  let released = 0;
  while (!options.signal.aborted) {
    const elapsed = Date.now() - startedAt;
    if (options.durationMs !== undefined && elapsed >= options.durationMs) break;
    let due = Math.floor((options.rate * elapsed) / 1000) - released;
    if (options.count !== undefined) due = Math.min(due, options.count - released);
    const behind = due > MAX_GROUP_LINES;
    if (due > 0) {
      const group = Math.min(due, MAX_GROUP_LINES);
      released += group;
      yield simulator.take(group);
    }
    if (options.count !== undefined && released >= options.count) break;
    // Behind, the next group is due already: only let the event loop turn (signals, I/O).
    await new Promise((resolve) => (behind ? setImmediate(resolve) : setTimeout(resolve, TICK_MS)));
  }
}

export interface SimulatorSourceOptions extends PaceOptions {
  /** The source name stored with each line. */
  readonly source: string;
  readonly maxLineBytes: number;
}

/** Paced traffic as line batches of `source`, one batch per group (`simulate --to-broker`). */
export class SimulatorSource implements Source {
  readonly name = 'simulator';
  private splitter: LineSplitter | undefined;

  constructor(private readonly options: SimulatorSourceOptions) {}

  get counts(): Readonly<SourceCounts> {
    return this.splitter?.counts ?? NO_COUNTS;
  }

  async *batches(): AsyncGenerator<LineBatch> {
    const splitter = new LineSplitter({
      source: this.options.source,
      batchLines: Number.MAX_SAFE_INTEGER,
      batchBytes: Number.MAX_SAFE_INTEGER,
      maxLineBytes: this.options.maxLineBytes,
    });
    this.splitter = splitter;
    for await (const lines of pacedLines(this.options)) {
      splitter.push(Buffer.from(`${lines.join('\n')}\n`));
      const batch = splitter.flush();
      if (batch) yield batch;
    }
  }
}
