/**
 * What a source hands to the broker: lines as exact bytes, grouped in batches per source.
 * A line never carries its line ending; it may carry invalid UTF-8, which is kept as is.
 */

/** One line of a source, exactly as read, without its `\n` or `\r\n`. */
export interface LogLine {
  /** Byte offset of the line's first byte in its stream; with the stream id it makes the event id. */
  readonly offset: number;
  /** The line's bytes (cut to the configured maximum when `truncated`). */
  readonly bytes: Buffer;
  /** True when the line was longer than the maximum line length and `bytes` holds only its start. */
  readonly truncated: boolean;
}

/** Consecutive lines of one stream of one source: the unit that travels in one broker message. */
export interface LineBatch {
  /** Short name of the input (a file's base name by default); becomes the routing key `log.<source>`. */
  readonly source: string;
  /** 8 bytes naming the stream (a file's generation); see `streamIdOf`. */
  readonly streamId: Buffer;
  /** When the producer read the lines (epoch ms). */
  readonly readAtMs: number;
  readonly lines: readonly LogLine[];
}
