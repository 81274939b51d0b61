/** Command-line file arguments → sources read once. `-` is standard input. */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Tuning } from '../config/index.js';
import { UsageError } from '../errors.js';
import { StreamSource } from '../sources/index.js';

/** One thing to read, checked: a file, or standard input. */
export interface Input {
  /** The path, or `-`. */
  readonly path: string;
  /** The source name stored with each line and used in the routing key. */
  readonly source: string;
  /** Size in bytes (files), for progress. */
  readonly sizeBytes?: number;
}

/** Checks every path before anything is sent, so a typo fails at once with exit code 2. */
export function inputsOf(paths: readonly string[], source: string | undefined): Input[] {
  if (paths.length === 0)
    throw new UsageError('LR_USAGE', 'no input: give one or more files, or - for standard input');
  if (paths.filter((path) => path === '-').length > 1)
    throw new UsageError('LR_USAGE', '- (standard input) given twice');
  return paths.map((path): Input => {
    if (path === '-') return { path, source: source ?? 'stdin' };
    let size: number;
    try {
      const stats = statSync(path);
      if (!stats.isFile()) throw new UsageError('LR_USAGE', `${path}: not a regular file`);
      size = stats.size;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(error);
      throw new UsageError('LR_USAGE', `${path}: ${why}`);
    }
    return { path, source: source ?? basename(path), sizeBytes: size };
  });
}

/**
 * The source that reads `input` with the configured batching. Standard input is live (lines waiting
 * for their batch go out after `batchLingerMs`); a file is read to its end as fast as it is confirmed.
 */
export function sourceOf(input: Input, tuning: Tuning): StreamSource {
  const splitting = {
    source: input.source,
    batchLines: tuning.batchLines,
    batchBytes: tuning.batchBytes,
    maxLineBytes: tuning.maxLineBytes,
  };
  if (input.path === '-') {
    return new StreamSource({
      ...splitting,
      name: 'stdin',
      open: () => process.stdin,
      batchLingerMs: tuning.batchLingerMs,
    });
  }
  return new StreamSource({
    ...splitting,
    name: input.path,
    sizeBytes: input.sizeBytes,
    open: () => createReadStream(input.path, { highWaterMark: 256 * 1024 }),
  });
}
