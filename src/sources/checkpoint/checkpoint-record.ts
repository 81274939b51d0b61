/**
 * What a checkpoint says about one followed file: which file (device, inode and a fingerprint of its
 * first bytes, so that a reused inode is not taken for the old file), which stream (its id, so that a
 * resumed file keeps its event ids), and the offset up to which every line is confirmed by the broker.
 */

/** Bytes of a file's head that its fingerprint covers, at most. */
export const FINGERPRINT_BYTES = 256;

export interface Fingerprint {
  /** How many of the file's first bytes were hashed (fewer than FINGERPRINT_BYTES for a short file). */
  readonly bytes: number;
  /** SHA-256 of those bytes, hex. */
  readonly sha256: string;
}

export interface Checkpoint {
  readonly version: 1;
  /** Device and inode of the file, as decimal strings (inodes may exceed 2^53). */
  readonly dev: string;
  readonly ino: string;
  readonly fingerprint: Fingerprint;
  /**
   * The path the file was followed under (it may have been renamed since): its rotated generations
   * are the files beside it named after it (`access.log.1`, `access.log-20261128`).
   */
  readonly path: string;
  /** The source name its lines are sent with. */
  readonly source: string;
  /** The stream id (16 hex digits) once the first line is known; null before. */
  readonly streamId: string | null;
  /** Every line that ends at or before this byte offset is confirmed by the broker. */
  readonly offset: number;
  /**
   * True once the file was rotated away, read to its end and every line confirmed: when it is deleted
   * or compressed later, nothing is lost. Absent while it may still get lines.
   */
  readonly finished?: true;
  /** ISO time of the write; also tells, at start-up, which rotated files were written since. */
  readonly updatedAt: string;
}

/** The name a checkpoint is stored under: one per file identity. */
export function checkpointKeyOf(dev: string, ino: string): string {
  return `${dev}-${ino}`;
}

/** Reads a checkpoint back, or says why the text is not one. */
export function parseCheckpoint(text: string): Checkpoint | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'not an object';
  const record = value as Record<string, unknown>;
  const fingerprint = record.fingerprint as Record<string, unknown> | undefined;
  const valid =
    record.version === 1 &&
    typeof record.dev === 'string' &&
    /^\d+$/.test(record.dev) &&
    typeof record.ino === 'string' &&
    /^\d+$/.test(record.ino) &&
    typeof fingerprint === 'object' &&
    fingerprint !== null &&
    Number.isSafeInteger(fingerprint.bytes) &&
    typeof fingerprint.sha256 === 'string' &&
    typeof record.path === 'string' &&
    typeof record.source === 'string' &&
    (record.streamId === null ||
      (typeof record.streamId === 'string' && /^[0-9a-f]{16}$/.test(record.streamId))) &&
    Number.isSafeInteger(record.offset) &&
    (record.offset as number) >= 0 &&
    (record.finished === undefined || record.finished === true);
  return valid ? (record as unknown as Checkpoint) : 'missing or invalid fields';
}
