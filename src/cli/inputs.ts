/** Command-line file arguments → pipeline inputs. `-` is standard input. */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import type { ProduceInput } from '../pipeline/index.js';

/** Checks every path before anything is sent, so a typo fails at once with exit code 2. */
export function inputsOf(paths: readonly string[], source: string | undefined): ProduceInput[] {
  if (paths.length === 0)
    throw new UsageError('LR_USAGE', 'no input: give one or more files, or - for standard input');
  if (paths.filter((path) => path === '-').length > 1)
    throw new UsageError('LR_USAGE', '- (standard input) given twice');
  return paths.map((path): ProduceInput => {
    if (path === '-') {
      return { source: source ?? 'stdin', label: 'stdin', live: true, open: () => process.stdin };
    }
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
    return {
      source: source ?? basename(path),
      label: path,
      sizeBytes: size,
      open: () => createReadStream(path, { highWaterMark: 256 * 1024 }),
    };
  });
}
