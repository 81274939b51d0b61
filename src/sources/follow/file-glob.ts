/**
 * What `--follow` accepts: a path, or a path whose last part has wildcards (`*`, `?`, `[abc]`), as
 * `/var/log/nginx/*.log`. The directory part is literal, so it can be watched; wildcards there are a
 * usage error. Compressed files (rotated and gzipped by logrotate) never match: their lines were read
 * before they were compressed, and their bytes are not lines.
 */
import { basename, dirname, resolve } from 'node:path';
import { isCompressedName } from '../file/index.js';

export { isCompressedName };

export interface FileGlob {
  /** As the user wrote it. */
  readonly pattern: string;
  /** The absolute directory the files are in. */
  readonly dir: string;
  /** True when the pattern names one file (no wildcard). */
  readonly literal: boolean;
  /** Whether a file name of `dir` matches. */
  matches(name: string): boolean;
}

const WILDCARD = /[*?[]/;

/** Compiles a pattern; returns the reason when it cannot be followed. */
export function compileFileGlob(pattern: string, cwd = process.cwd()): FileGlob | string {
  if (pattern.length === 0) return 'an empty path';
  const absolute = resolve(cwd, pattern);
  const dir = dirname(absolute);
  const name = basename(absolute);
  if (WILDCARD.test(dir))
    return `${pattern}: wildcards are allowed only in the file name, not in directories`;
  if (!WILDCARD.test(name)) {
    return { pattern, dir, literal: true, matches: (candidate) => candidate === name };
  }
  const regex = globToRegExp(name);
  if (typeof regex === 'string') return `${pattern}: ${regex}`;
  return {
    pattern,
    dir,
    literal: false,
    matches: (candidate) => regex.test(candidate) && !isCompressedName(candidate),
  };
}

function globToRegExp(glob: string): RegExp | string {
  let source = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index] as string;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const close = glob.indexOf(']', index + 2);
      if (close === -1) return 'an unclosed [ in the file name';
      let set = glob.slice(index + 1, close);
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      source += `[${set.replace(/\\/g, '\\\\')}]`;
      index = close;
    } else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  // A leading dot must be matched by a dot, as in the shell: `*` does not pick up `.hidden` files.
  const hidden = glob.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${hidden}${source}$`);
}
