/**
 * The file the tests start as `lograbbit`. `npm test` compiles `src/` to `dist/` first, and a start of
 * the compiled CLI costs about half the CPU of a start through tsx; the suite starts hundreds of them
 * on a 2-core machine whose CPU it keeps busy. The compiled file is used only while every source has
 * a compiled copy at least as new as itself; otherwise `bin/lograbbit.js`, which runs the sources
 * through tsx, so a test run on its own after an edit never runs stale code.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = join(ROOT, 'src');
const COMPILED = join(ROOT, 'dist');

/** `dist/`'s copy of the source at `path`: tsc's `.js` for a `.ts`, the same file for the others. */
function compiledCopyOf(path: string): string {
  return join(COMPILED, relative(SOURCES, path).replace(/\.ts$/, '.js'));
}

/** Whether every file under `src/` has a compiled copy modified no earlier than it. */
export function compiledIsCurrent(): boolean {
  try {
    return readdirSync(SOURCES, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .every((entry) => {
        const source = join(entry.parentPath, entry.name);
        return statSync(compiledCopyOf(source)).mtimeMs >= statSync(source).mtimeMs;
      });
  } catch {
    return false; // no dist/, or a source without its copy
  }
}

export const CLI_ENTRY = compiledIsCurrent()
  ? join(COMPILED, 'cli', 'main.js')
  : join(ROOT, 'bin', 'lograbbit.js');
