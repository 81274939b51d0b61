/**
 * How a followed file is recognised: its device and inode (which survive a rename) together with a
 * fingerprint of its first bytes (which tells a new file that reuses a freed inode, or a file truncated
 * and written again, from the one a checkpoint was made for).
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { FINGERPRINT_BYTES } from '../checkpoint/index.js';
import type { Fingerprint } from '../checkpoint/index.js';

export interface FileIdentity {
  readonly dev: string;
  readonly ino: string;
  readonly size: number;
  readonly isFile: boolean;
}

/** The identity of the file at `path`, or undefined when there is none. */
export async function identityOfPath(path: string): Promise<FileIdentity | undefined> {
  try {
    const stats = await stat(path, { bigint: true });
    return {
      dev: String(stats.dev),
      ino: String(stats.ino),
      size: Number(stats.size),
      isFile: stats.isFile(),
    };
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
}

export async function identityOfHandle(handle: FileHandle): Promise<FileIdentity> {
  const stats = await handle.stat({ bigint: true });
  return { dev: String(stats.dev), ino: String(stats.ino), size: Number(stats.size), isFile: stats.isFile() };
}

/** The fingerprint of the file's first bytes (as many as it has, up to FINGERPRINT_BYTES). */
export async function fingerprintOf(handle: FileHandle, size: number): Promise<Fingerprint> {
  const head = await readAt(handle, 0, Math.min(size, FINGERPRINT_BYTES));
  return { bytes: head.length, sha256: createHash('sha256').update(head).digest('hex') };
}

/**
 * The fingerprint of a file that has grown past the bytes `known` covers: longer, but only when the
 * head still starts with those bytes. The file may be truncated between the read that saw it grow and
 * this one; a fingerprint taken then would describe the new content (or nothing, at size 0), and the
 * truncation would go unnoticed. In that case `known` stands, and `Tailer.rewritten` sees the change.
 */
export async function grownFingerprint(
  handle: FileHandle,
  size: number,
  known: Fingerprint,
): Promise<Fingerprint> {
  const head = await readAt(handle, 0, Math.min(size, FINGERPRINT_BYTES));
  if (head.length <= known.bytes) return known;
  const sameStart = createHash('sha256').update(head.subarray(0, known.bytes)).digest('hex') === known.sha256;
  return sameStart ? { bytes: head.length, sha256: createHash('sha256').update(head).digest('hex') } : known;
}

/** True when the file still starts with the bytes `fingerprint` was made of. */
export async function startsWith(
  handle: FileHandle,
  size: number,
  fingerprint: Fingerprint,
): Promise<boolean> {
  if (size < fingerprint.bytes) return false;
  const head = await readAt(handle, 0, fingerprint.bytes);
  return (
    head.length === fingerprint.bytes &&
    createHash('sha256').update(head).digest('hex') === fingerprint.sha256
  );
}

/** True when `head` (a file's first bytes) starts with the bytes `fingerprint` was made of. */
export function headMatches(head: Buffer, fingerprint: Fingerprint): boolean {
  return (
    fingerprint.bytes > 0 &&
    head.length >= fingerprint.bytes &&
    createHash('sha256').update(head.subarray(0, fingerprint.bytes)).digest('hex') === fingerprint.sha256
  );
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

export function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
