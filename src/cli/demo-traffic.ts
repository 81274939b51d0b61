/**
 * Simulated traffic for `simulate` and for `run` with no path: the paced simulator's lines appended
 * to a file (so `--follow` can tail it), and the simulator's options.
 */
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { SIMULATED_FORMATS, pacedLines } from '../sources/index.js';
import type { PaceOptions, SimulatedFormat } from '../sources/index.js';

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
