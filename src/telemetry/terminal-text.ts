/**
 * Text that came from a message or a file, made safe to print for people: a source name, a
 * dead-letter reason or a message id can hold anything, and a terminal obeys control characters.
 * ESC and the C1 CSI (U+009B) start sequences that clear the screen, move the cursor or retitle the
 * window; a newline or carriage return forges a line; bidi overrides reorder what is shown. Each is
 * written as a visible JSON-style escape (`\u001b`, `\n`), so the output reads like `--json`'s.
 * Backslashes are left as they are: this is for reading, not for parsing back.
 */

// C0 controls, DEL, C1 controls, and the bidi marks, embeddings, overrides and isolates.
// eslint-disable-next-line no-control-regex -- matching control characters is the point here
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\f': '\\f',
  '\r': '\\r',
};

/** `text` with every control and bidi character written as a visible escape; the rest unchanged. */
export function terminalSafe(text: string): string {
  return text.replace(
    UNSAFE,
    (char) => SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
