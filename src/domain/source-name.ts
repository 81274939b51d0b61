/**
 * What a source name may be, wherever it comes from (`--source`, a file's base name, stdin): the
 * producer's encoder and the consumer's decoder apply the same rule, so that whatever a producer can
 * send is accepted and whatever it cannot is refused before it is sent.
 */

/** A source name's length in UTF-8 bytes, at most: the frame stores it in one byte. */
export const MAX_SOURCE_BYTES = 255;

/**
 * Why `source` cannot name a source, or null when it can: it must not be empty, must be well-formed
 * Unicode (no lone surrogate, which UTF-8 cannot carry) and fit in `MAX_SOURCE_BYTES`. Control
 * characters are allowed: a file's base name may hold them, and the store escapes them.
 */
export function sourceNameProblem(source: string): string | null {
  if (source === '') return 'the source name is empty';
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > MAX_SOURCE_BYTES) {
    return `the source name is ${bytes} bytes of UTF-8, more than ${MAX_SOURCE_BYTES}`;
  }
  // A lone surrogate is written as U+FFFD, so the name would not arrive as it was sent.
  if (Buffer.from(source, 'utf8').toString('utf8') !== source) {
    return 'the source name holds a lone surrogate, which UTF-8 cannot carry';
  }
  return null;
}
