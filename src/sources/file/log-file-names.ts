/**
 * Which files are logs to read: not compressed (rotated and gzipped by logrotate: their lines were
 * read before they were compressed, and their bytes are not lines), and, in a directory given as an
 * input, not hidden either. Shared by `--follow` globs and by directories given to `ingest`/`produce`.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.js';

const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|lzma|zip|Z|7z)$/;

/** True for the names logrotate and others give compressed files. */
export function isCompressedName(name: string): boolean {
  return COMPRESSED.test(name);
}

/**
 * The log files of `dir`, sorted by name: regular files (or links to them), not in subdirectories,
 * neither hidden (`.name`) nor compressed.
 */
export function logFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.') && !isCompressedName(name))
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile() === true);
}

/**
 * `paths` with each directory replaced by its log files (see `logFilesIn`); other paths, `-` and
 * paths that do not exist are kept as they are, for the caller to check. A directory without a log
 * file, or one that cannot be read, is an input error naming it.
 */
export function expandDirectories(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    if (path === '-' || !isDirectory(path)) return [path];
    let files: string[];
    try {
      files = logFilesIn(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new InputError(
        `${path}: ${code === 'EACCES' ? 'permission denied' : `cannot list the directory (${String(error)})`}`,
      );
    }
    if (files.length === 0) {
      throw new InputError(
        `${path}: a directory with no log file in it (subdirectories, hidden and compressed files are skipped)`,
      );
    }
    return files;
  });
}

/** False when `path` cannot be looked at either: the caller's own check then says why. */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
