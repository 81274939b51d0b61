/**
 * Simulated traffic at a steady pace, for `simulate` and for `run` with no path: the simulator's lines
 * (pure and deterministic) released `rate` per second by the wall clock, in small groups, to a file
 * (appended, so `--follow` can tail it), to standard output, or as line batches for the broker.
 */
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LineBatch } from '../domain/index.js';
import { UsageError } from '../errors.js';
import { LineSplitter, SIMULATED_FORMATS, createTrafficSimulator } from '../sources/index.js';
import type { SimulatedFormat } from '../sources/index.js';

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

export interface DemoTraffic {
  /** Lines written so far. */
  readonly written: () => number;
  /** Stops writing and waits for the last write. */
  stop(): Promise<void>;
  /** Resolves when the writing ends by itself (count or duration reached) or is stopped. */
  readonly done: Promise<void>;
}

/** Appends paced traffic to `path` (created with its directory when missing). */
export async function startTrafficFile(path: string, options: PaceOptions): Promise<DemoTraffic> {
  await mkdir(dirname(path), { recursive: true });
  const file = await open(path, 'a');
  const controller = new AbortController();
  const signal = AbortSignal.any([options.signal, controller.signal]);
  let written = 0;
  const done = (async () => {
    try {
      for await (const lines of pacedLines({ ...options, signal })) {
        await file.write(`${lines.join('\n')}\n`);
        written += lines.length;
      }
    } finally {
      await file.close();
    }
  })();
  return {
    written: () => written,
    done,
    async stop() {
      controller.abort();
      await done;
    },
  };
}

/** Paced traffic as line batches of `source`, one batch per group (for `simulate --to-broker`). */
export async function* pacedBatches(
  options: PaceOptions & { readonly source: string; readonly maxLineBytes: number },
): AsyncGenerator<LineBatch> {
  const splitter = new LineSplitter({
    source: options.source,
    batchLines: Number.MAX_SAFE_INTEGER,
    batchBytes: Number.MAX_SAFE_INTEGER,
    maxLineBytes: options.maxLineBytes,
  });
  for await (const lines of pacedLines(options)) {
    splitter.push(Buffer.from(`${lines.join('\n')}\n`));
    const batch = splitter.flush();
    if (batch) yield batch;
  }
}

/** `--format` of the simulator: one of the formats it writes (`auto` means combined). */
export function simulatedFormatOf(value: string | undefined): SimulatedFormat {
  const format = value === undefined || value === 'auto' ? 'combined' : value;
  if ((SIMULATED_FORMATS as readonly string[]).includes(format)) return format as SimulatedFormat;
  throw new UsageError(
    'LR_USAGE',
    `--format: the simulator writes ${SIMULATED_FORMATS.join(', ')}, not ${format}`,
  );
}

/** A whole number option in [min, max]; a usage error naming the option otherwise. */
export function numberOption(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const number = value === undefined ? fallback : Number(value);
  if (!Number.isFinite(number) || number < min || number > max) {
    throw new UsageError('LR_USAGE', `${name}: expected a number from ${min} to ${max} (got ${value})`);
  }
  return number;
}

/** `--duration`: `30s`, `5m`, `1h`, `500ms`, or a number of seconds. */
export function durationOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match)
    throw new UsageError('LR_USAGE', `--duration: expected a time such as 30s, 5m or 1h (got ${value})`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}
