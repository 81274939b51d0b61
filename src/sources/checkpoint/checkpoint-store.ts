/**
 * Checkpoints on disk: one small JSON file per followed file in the state directory, replaced
 * atomically (written to a temporary file, fsynced, renamed over the old one, directory fsynced), so a
 * crash or a power cut leaves the old checkpoint or the new one, never a torn one. Writes of one file
 * are coalesced: while one is on its way, only the latest next value waits.
 */
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointKeyOf, parseCheckpoint } from './checkpoint-record.js';
import type { Checkpoint } from './checkpoint-record.js';

const SUFFIX = '.checkpoint.json';

export interface CheckpointStore {
  readonly dir: string;
  /** Every valid checkpoint of the directory; unreadable ones are reported through `onInvalid` and skipped. */
  load(onInvalid?: (file: string, why: string) => void): Promise<Checkpoint[]>;
  /** Saves `checkpoint` (atomically); resolves once it, or a later value of the same file, is on disk. */
  save(checkpoint: Checkpoint): Promise<void>;
  remove(dev: string, ino: string): Promise<void>;
  /** Resolves once every save asked for so far is on disk. */
  flush(): Promise<void>;
}

/** Opens (and creates) the state directory. */
export async function openCheckpointStore(dir: string): Promise<CheckpointStore> {
  await mkdir(dir, { recursive: true });
  const running = new Map<string, Promise<void>>();
  const queued = new Map<string, Checkpoint>();
  let sequence = 0;

  const fileOf = (key: string): string => join(dir, `${key}${SUFFIX}`);

  const writeAtomically = async (checkpoint: Checkpoint): Promise<void> => {
    const target = fileOf(checkpointKeyOf(checkpoint.dev, checkpoint.ino));
    const temporary = `${target}.${process.pid}.${sequence++}.tmp`;
    const handle = await open(temporary, 'w', 0o644);
    try {
      await handle.writeFile(`${JSON.stringify(checkpoint)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
    // The rename is durable only once the directory is.
    const directory = await open(dir, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  };

  const drain = async (key: string): Promise<void> => {
    try {
      for (let next = queued.get(key); next; next = queued.get(key)) {
        queued.delete(key);
        await writeAtomically(next);
      }
    } finally {
      // In the same tick as the last check of the queue, so a save never joins a finished drain.
      running.delete(key);
    }
  };

  return {
    dir,
    async load(onInvalid) {
      const checkpoints: Checkpoint[] = [];
      for (const name of await readdir(dir)) {
        if (name.endsWith('.tmp')) {
          // A write that a crash interrupted: the checkpoint it would have replaced is still there.
          await rm(join(dir, name), { force: true });
          continue;
        }
        if (!name.endsWith(SUFFIX)) continue;
        const parsed = parseCheckpoint(await readFile(join(dir, name), 'utf8'));
        if (typeof parsed === 'string') onInvalid?.(name, parsed);
        else checkpoints.push(parsed);
      }
      return checkpoints;
    },
    save(checkpoint) {
      const key = checkpointKeyOf(checkpoint.dev, checkpoint.ino);
      queued.set(key, checkpoint);
      let writing = running.get(key);
      if (!writing) {
        writing = drain(key);
        running.set(key, writing);
      }
      return writing;
    },
    async remove(dev, ino) {
      const key = checkpointKeyOf(dev, ino);
      queued.delete(key);
      await running.get(key)?.catch(() => undefined);
      await rm(fileOf(key), { force: true });
    },
    async flush() {
      await Promise.all([...running.values()]);
    },
  };
}
