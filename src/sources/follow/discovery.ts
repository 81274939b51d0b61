/**
 * Discovery: which files the follower follows. The patterns as globs, the files that match them now,
 * opening one safely, and watching the patterns' directories so that a new or renamed file is found
 * at once (the follower's poll finds it anyway, where there is no inotify). It keeps no state about
 * the files themselves: the tailers do.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError, messageOf } from '../../errors.js';
import { checkpointKeyOf } from '../checkpoint/index.js';
import { compileFileGlob } from './file-glob.js';
import type { FileGlob } from './file-glob.js';
import { identityOfHandle, identityOfPath, isGone } from './file-identity.js';
import type { FileIdentity } from './file-identity.js';

/** A file that matches a pattern now. */
export interface MatchedFile {
  readonly path: string;
  readonly identity: FileIdentity;
  /** Its checkpoint key (device and inode). */
  readonly key: string;
}

/** What a directory watcher saw: a name came or went (`rename`), or a file grew (`change`). */
export type DirectoryEvent = 'rename' | 'change';

export class Discovery {
  private readonly watchers = new Map<string, FSWatcher>();
  /** Matching files that could not be opened, said once each. */
  private readonly unreadable = new Set<string>();

  private constructor(private readonly globs: readonly FileGlob[]) {}

  /** Checks the patterns: every bad one is named in one input error (exit 2). */
  static of(patterns: readonly string[]): Discovery {
    const globs: FileGlob[] = [];
    const problems: string[] = [];
    for (const pattern of patterns) {
      const glob = compileFileGlob(pattern);
      if (typeof glob === 'string') problems.push(glob);
      else globs.push(glob);
    }
    if (globs.length === 0 && problems.length === 0) problems.push('no file to follow');
    if (problems.length > 0) throw new InputError(`--follow: ${problems.join('; ')}`);
    return new Discovery(globs);
  }

  /** Whether a pattern matches `path`. */
  isFollowed(path: string): boolean {
    return this.globs.some((glob) => glob.dir === dirname(path) && glob.matches(basename(path)));
  }

  /** The regular files that match the patterns now. */
  async matching(): Promise<MatchedFile[]> {
    const matched: MatchedFile[] = [];
    for (const glob of this.globs) {
      for (const name of await namesIn(glob)) {
        const path = join(glob.dir, name);
        const identity = await identityOfPath(path);
        if (!identity?.isFile) continue;
        matched.push({ path, identity, key: checkpointKeyOf(identity.dev, identity.ino) });
      }
    }
    return matched;
  }

  /**
   * Opens a matched file; undefined when it is gone, replaced since it was matched (the next round
   * finds the new one), or unreadable (said once through `warn`).
   */
  async open(
    file: MatchedFile,
    warn: (path: string, why: string) => void,
  ): Promise<{ readonly handle: FileHandle; readonly identity: FileIdentity } | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(file.path, 'r');
    } catch (error) {
      if (!isGone(error) && !this.unreadable.has(file.path)) {
        this.unreadable.add(file.path);
        warn(file.path, messageOf(error));
      }
      return undefined;
    }
    const identity = await identityOfHandle(handle);
    if (identity.dev !== file.identity.dev || identity.ino !== file.identity.ino) {
      await handle.close();
      return undefined;
    }
    return { handle, identity };
  }

  /**
   * Watches each directory of the patterns not watched yet; a missing one is watched once it exists
   * (call again on each poll).
   */
  watch(onEvent: (event: DirectoryEvent) => void): void {
    for (const glob of this.globs) {
      if (this.watchers.has(glob.dir)) continue;
      try {
        const watcher = watch(glob.dir, { persistent: false }, (event) => onEvent(event));
        watcher.on('error', () => {
          watcher.close();
          this.watchers.delete(glob.dir);
        });
        this.watchers.set(glob.dir, watcher);
      } catch {
        // No such directory yet, or no inotify: the poll covers it.
      }
    }
  }

  stopWatching(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }
}

async function namesIn(glob: FileGlob): Promise<string[]> {
  if (glob.literal) return [basename(glob.pattern)];
  try {
    return (await readdir(glob.dir)).filter((name) => glob.matches(name));
  } catch (error) {
    if (isGone(error)) return [];
    throw error;
  }
}
