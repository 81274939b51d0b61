/**
 * A text read from a line (an address, a path, a user agent) is a slice of the line's string: V8
 * makes a slice of 13 characters or more a view of its parent, so anything that keeps the text keeps
 * the whole line alive. What outlives its line (a cache key, a text waiting for its transaction's
 * commit) keeps a detached copy instead.
 */

/** Shorter slices are copies already. */
const SLICE_MIN_CHARACTERS = 13;

/**
 * A copy of `text` that refers to no other string. Of a concatenation V8 first makes one flat
 * string, so this copy's parent is that new string of one more character, not the line.
 */
export function detachedText(text: string): string {
  return text.length < SLICE_MIN_CHARACTERS ? text : ` ${text}`.slice(1);
}
