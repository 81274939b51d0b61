/**
 * What a gzip-compressed generation held, without keeping it: its first bytes (to recognise the file a
 * checkpoint names) and its size (to say how many of its bytes were never read). Only gzip, logrotate's
 * default; other compressions are recognised by name alone.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

export interface GzipContent {
  /** The first bytes of the content (up to the number asked for). */
  readonly head: Buffer;
  /** The content's size, when it was read through; undefined when only the head was wanted. */
  readonly size: number | undefined;
}

/** True for a name gzip gives. */
export function isGzipName(name: string): boolean {
  return name.endsWith('.gz');
}

/**
 * Decompresses `path`: up to `headBytes` of its head, and the whole size when `wholeSize`. Undefined
 * when it is not readable gzip (a file still being written by the compressor, say).
 */
export async function readGzipContent(
  path: string,
  headBytes: number,
  wholeSize: boolean,
): Promise<GzipContent | undefined> {
  const head: Buffer[] = [];
  let headLength = 0;
  let size = 0;
  let stoppedEarly = false;
  try {
    await pipeline(createReadStream(path), createGunzip(), async (content: AsyncIterable<Buffer>) => {
      for await (const chunk of content) {
        if (headLength < headBytes) {
          const part = chunk.subarray(0, headBytes - headLength);
          head.push(part);
          headLength += part.length;
        }
        size += chunk.length;
        if (!wholeSize && headLength >= headBytes) {
          stoppedEarly = true;
          return;
        }
      }
    });
  } catch {
    // Stopping early closes the decompressor before its end: that is not an error.
    if (!stoppedEarly) return undefined;
  }
  return { head: Buffer.concat(head), size: wholeSize ? size : undefined };
}
