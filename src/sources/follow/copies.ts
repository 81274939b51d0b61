/**
 * A followed file's rotated copy, found one way wherever it is looked for: while following (a
 * copytruncate seen live: the lines between the last read and the truncation are only in the copy)
 * and at start-up (`generations.ts`: a copy of a checkpointed file made while lograbbit was stopped).
 *
 * A copy is recognised by what it holds, not by its name: a regular, uncompressed file beside the
 * followed path, other than the file itself, that starts with the stream's fingerprint and holds at
 * least the bytes already read of the stream.
 */
import { open, readdir, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FINGERPRINT_BYTES, checkpointKeyOf } from '../checkpoint/index.js';
import type { Fingerprint } from '../checkpoint/index.js';
import { isCompressedName } from './file-glob.js';
import { headMatches, isGone, readAt } from './file-identity.js';

/** A regular file in the directory of a followed path. */
export interface Sibling {
  readonly path: string;
  readonly name: string;
  /** Its checkpoint key (device and inode). */
  readonly key: string;
  readonly size: number;
  readonly mtimeNs: bigint;
  readonly compressed: boolean;
}

/** The stream a copy would continue: its head, and how far it was read. */
export interface CopiedStream {
  readonly fingerprint: Fingerprint;
  readonly offset: number;
}

/** The regular files in the directory of `path` (none when the directory is gone). */
export async function siblingsOf(path: string): Promise<Sibling[]> {
  const dir = dirname(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isGone(error)) return [];
    throw error;
  }
  const siblings: Sibling[] = [];
  for (const name of names) {
    const candidate = join(dir, name);
    const stats = await stat(candidate, { bigint: true }).catch(() => undefined);
    if (!stats?.isFile()) continue;
    siblings.push({
      path: candidate,
      name,
      key: checkpointKeyOf(String(stats.dev), String(stats.ino)),
      size: Number(stats.size),
      mtimeNs: stats.mtimeNs,
      compressed: isCompressedName(name),
    });
  }
  return siblings;
}

/** Whether `sibling`, whose first bytes are `head`, is a copy of `stream` (and not the file `exceptKey`). */
export function isCopy(sibling: Sibling, head: Buffer, stream: CopiedStream, exceptKey?: string): boolean {
  return (
    !sibling.compressed &&
    sibling.key !== exceptKey &&
    sibling.size >= stream.offset &&
    headMatches(head, stream.fingerprint)
  );
}

/** The first bytes of a file, as far as a fingerprint reaches; undefined when it cannot be read. */
export async function headOf(path: string): Promise<Buffer | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    return await readAt(handle, 0, FINGERPRINT_BYTES);
  } finally {
    await handle.close();
  }
}

/** The copy of `stream` beside `path`, other than the file `exceptKey`, opened; undefined when none is there. */
export async function findCopy(
  path: string,
  stream: CopiedStream,
  exceptKey: string,
): Promise<{ handle: FileHandle; path: string } | undefined> {
  if (stream.fingerprint.bytes === 0) return undefined;
  for (const sibling of await siblingsOf(path)) {
    // What a copy cannot be, told without opening it.
    if (sibling.compressed || sibling.key === exceptKey || sibling.size < stream.offset) continue;
    let handle: FileHandle;
    try {
      handle = await open(sibling.path, 'r');
    } catch {
      continue;
    }
    const head = await readAt(handle, 0, FINGERPRINT_BYTES);
    if (isCopy(sibling, head, stream, exceptKey)) return { handle, path: sibling.path };
    await handle.close();
  }
  return undefined;
}
