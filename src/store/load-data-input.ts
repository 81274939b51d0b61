/**
 * Rows as one `LOAD DATA` input, in its default format: fields separated by tabs, rows ended by
 * newlines, NULL as `\N`, and a backslash before each tab, newline, NUL and backslash of a value.
 *
 * The input is read by the server as `CHARACTER SET binary`: text columns are written as UTF-8 and
 * byte columns (event ids, raw lines) as their own bytes, escaped, into chunks of reused memory; a
 * long value with nothing to escape is not copied at all but sent as it is (see `InputPieces`). Sending
 * bytes as hex instead, UNHEXed by the statement, cost the server more CPU per raw row, and the
 * consumer a hex string twice the line's size (the CPU per row: bench/RESULTS.md).
 */

/** How one column's value is written: its own bytes, or text made from the value's type. */
export type FieldKind = 'bytes' | 'text';

const TAB = 0x09;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const NUL = 0x00;
const SPECIAL_TEXT = /[\\\t\n\0]/;
const SPECIAL_TEXT_ALL = /[\\\t\n\0]/g;
const TEXT_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\0': '\\0',
};
const NULL_FIELD = '\\N';

function escapeText(text: string): string {
  return SPECIAL_TEXT.test(text)
    ? text.replace(SPECIAL_TEXT_ALL, (char) => TEXT_ESCAPES[char] ?? char)
    : text;
}

/** The second a column formatted last, and its text: log lines come in bursts that share their second. */
export interface SecondCache {
  second: number;
  text: string;
}

export const newSecondCache = (): SecondCache => ({ second: Number.NaN, text: '' });

/**
 * A DATETIME value: the columns hold UTC (the pool's timezone is 'Z' for the INSERT path too).
 * `toISOString` is slow enough to be a tenth of the consumer's time at three dates a line, so it is
 * called once per distinct second of each column and the milliseconds are appended.
 */
export function datetimeOf(value: Date, cache: SecondCache = newSecondCache()): string {
  const ms = value.getTime();
  const second = Math.floor(ms / 1000);
  if (second !== cache.second) {
    const iso = value.toISOString();
    cache.text = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
    cache.second = second;
  }
  const millis = ms - second * 1000;
  return `${cache.text}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}`;
}

/** A non-byte value as the text of its field (its column's type is the server's to check). */
function textField(value: unknown, cache: SecondCache): string {
  if (value === null || value === undefined) return NULL_FIELD;
  if (typeof value === 'string') return escapeText(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value instanceof Date) return datetimeOf(value, cache);
  return escapeText(JSON.stringify(value));
}

/**
 * `line`, or its longest start whose escaped form (a backslash before each tab, newline, NUL and
 * backslash) takes at most `room` bytes. Lines that cannot need it are not scanned.
 */
export function fitEscapedLine(line: Buffer, room: number): Buffer {
  if (line.length * 2 <= room) return line;
  let size = 0;
  for (let index = 0; index < line.length; index++) {
    const byte = line[index];
    size += byte === BACKSLASH || byte === TAB || byte === NEWLINE || byte === NUL ? 2 : 1;
    if (size > room) return line.subarray(0, index);
  }
  return line;
}

/**
 * An input being written, as the pieces it will be sent in: views of chunks of the encoder's own
 * memory, in order, between which a long byte value that needs no escaping (a raw line) is referenced
 * where it lies rather than copied. A 16 MiB line copied into one growing buffer cost its row several
 * times its size in copies and left-over buffers (bench/RESULTS.md, 16 MB lines).
 */
class InputPieces {
  readonly pieces: Buffer[] = [];
  /** The chunks written into, to be given back once the server has read them. */
  readonly chunks: Buffer[] = [];
  length = 0;
  private chunk: Buffer;
  /** Where the piece being written starts in `chunk`, and where the next byte goes. */
  private start = 0;
  private at = 0;

  constructor(private readonly chunkOf: (atLeast: number) => Buffer) {
    this.chunk = chunkOf(0);
    this.chunks.push(this.chunk);
  }

  /** Room for `count` more bytes in the chunk being written, in a new one if need be. */
  private reserve(count: number): void {
    if (this.at + count <= this.chunk.length) return;
    this.cut();
    this.chunk = this.chunkOf(count);
    this.chunks.push(this.chunk);
    this.start = 0;
    this.at = 0;
  }

  /** Ends the piece being written (if it has bytes); what follows starts a new one. */
  private cut(): void {
    if (this.at > this.start) this.pieces.push(this.chunk.subarray(this.start, this.at));
    this.start = this.at;
  }

  byte(value: number): void {
    this.reserve(1);
    this.chunk[this.at++] = value;
    this.length++;
  }

  /** Text already escaped; a UTF-16 unit takes at most 3 bytes of UTF-8. */
  text(value: string): void {
    this.reserve(value.length * 3);
    const written = this.chunk.write(value, this.at, 'utf8');
    this.at += written;
    this.length += written;
  }

  /** Bytes with the four special ones escaped. */
  escapedBytes(value: Buffer): void {
    if (
      value.indexOf(BACKSLASH) === -1 &&
      value.indexOf(TAB) === -1 &&
      value.indexOf(NEWLINE) === -1 &&
      value.indexOf(NUL) === -1
    ) {
      if (value.length >= REFERENCED_BYTES) {
        this.cut();
        this.pieces.push(value);
      } else {
        this.reserve(value.length);
        this.at += value.copy(this.chunk, this.at);
      }
      this.length += value.length;
      return;
    }
    // Escaped a chunk's worth at a time: the escaped form never needs more than a fresh chunk.
    for (let from = 0; from < value.length; from += CHUNK_BYTES / 2) {
      const part = value.subarray(from, from + CHUNK_BYTES / 2);
      this.reserve(part.length * 2);
      const out = this.chunk;
      let at = this.at;
      for (const byte of part) {
        if (byte === BACKSLASH || byte === TAB || byte === NEWLINE || byte === NUL) {
          out[at++] = BACKSLASH;
          out[at++] = byte === TAB ? 0x74 : byte === NEWLINE ? 0x6e : byte === NUL ? 0x30 : BACKSLASH;
        } else out[at++] = byte;
      }
      this.length += at - this.at;
      this.at = at;
    }
  }

  /** The pieces, the one being written included: nothing may be written after this. */
  finish(): readonly Buffer[] {
    this.cut();
    return this.pieces;
  }
}

/** One input being written: rows are appended to it, a message's at a time. */
export interface EncodingInput {
  /** Encodes these rows after those already in; they can be collected as soon as this returns. */
  append(rows: readonly object[]): void;
  /** Rows appended so far. */
  readonly rows: number;
  /** Bytes of the input so far. */
  readonly length: number;
  /**
   * The input as it stands, as the views it is sent in (append nothing after taking them). A long
   * byte value may be one of them whole: cut them smaller if the sender copies each at once.
   */
  pieces(): readonly Buffer[];
  /**
   * Gives the input's memory back to its encoder once the server has read all of it: the next
   * inputs are written over it. An input never released (one whose sending failed) is left to the
   * garbage collector.
   */
  release(): void;
}

/** Inputs for rows with given fields: `start` one and append rows to it. */
export interface RowEncoder {
  start(): EncodingInput;
}

/** The size of the chunks an input is written in; bigger only for a single text that needs more. */
const CHUNK_BYTES = 256 * 1024;
/** Byte values at least this long and with nothing to escape are sent where they lie, not copied. */
const REFERENCED_BYTES = 64 * 1024;
/** Free chunks an encoder keeps: what the transactions in flight of one table take, with room to spare. */
const FREE_CHUNKS = 64;

/**
 * An encoder for rows with these fields, in this order. Consecutive non-byte fields are joined into
 * one string per row before they are written, so a row of the clean table is two writes, not forty.
 *
 * Its chunks are reused: a fresh megabyte per batch lived long enough to reach V8's old space, so it
 * was freed only by a full collection, and the consumer held tens of megabytes of spent inputs
 * between two (bench/RESULTS.md, "Figures moved out of code comments").
 */
export function createRowEncoder(
  fields: ReadonlyArray<{ readonly key: string; readonly kind: FieldKind }>,
): RowEncoder {
  // A cache per column: the dates of one column share their second from row to row, those of two
  // columns of a row (a line's time and when it was read) seldom do.
  const caches = fields.map(newSecondCache);
  const free: Buffer[] = [];
  // A chunk of the ordinary size comes from the free ones if it can; a bigger one (a text field of
  // more than a chunk) is made for its input alone and never kept.
  const chunkOf = (atLeast: number): Buffer =>
    atLeast > CHUNK_BYTES ? Buffer.allocUnsafe(atLeast) : (free.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES));

  const appendRows = (input: InputPieces, rows: readonly object[]): void => {
    for (const row of rows) {
      const record = row as Record<string, unknown>;
      let pending = '';
      for (let index = 0; index < fields.length; index++) {
        const { key, kind } = fields[index] as { key: string; kind: FieldKind };
        const value = record[key];
        const separator = index === 0 ? '' : '\t';
        if (kind !== 'bytes' || value === null || value === undefined) {
          pending +=
            separator + (kind === 'bytes' ? NULL_FIELD : textField(value, caches[index] as SecondCache));
          continue;
        }
        input.text(pending + separator);
        pending = '';
        input.escapedBytes(value as Buffer);
      }
      input.text(pending);
      input.byte(NEWLINE);
    }
  };

  const start = (): EncodingInput => {
    const input = new InputPieces(chunkOf);
    let rows = 0;
    let pieces: readonly Buffer[] | undefined;
    let released = false;
    return {
      append(more) {
        if (pieces !== undefined) throw new Error('rows appended to an input already taken');
        appendRows(input, more);
        rows += more.length;
      },
      get rows() {
        return rows;
      },
      get length() {
        return input.length;
      },
      pieces() {
        pieces ??= input.finish();
        return pieces;
      },
      release() {
        if (released) return;
        released = true;
        pieces ??= input.finish();
        for (const chunk of input.chunks) {
          if (free.length < FREE_CHUNKS && chunk.length === CHUNK_BYTES) free.push(chunk);
        }
      },
    };
  };
  return { start };
}
