/**
 * Rows as one `LOAD DATA` input, in its default format: fields separated by tabs, rows ended by
 * newlines, NULL as `\N`, and a backslash before each tab, newline, NUL and backslash of a value.
 *
 * The input is read by the server as `CHARACTER SET binary`: text columns are written as UTF-8 and
 * byte columns (event ids, raw lines) as their own bytes, escaped, straight into one buffer. Sending
 * bytes as hex instead, UNHEXed by the statement, cost the server 40% more CPU per raw row, and the
 * consumer a hex string twice the line's size (measured: see bench/RESULTS.md, 2026-12-01).
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

/** A buffer that grows as the input is written into it. */
class InputBuffer {
  bytes: Buffer;
  length = 0;

  /** `start`: where to write first; grown (copied) when the input outgrows it. */
  constructor(start: Buffer) {
    this.bytes = start;
  }

  reserve(count: number): void {
    if (this.length + count <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + count));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  /** Text already escaped; a UTF-16 unit takes at most 3 bytes of UTF-8. */
  text(value: string): void {
    this.reserve(value.length * 3);
    this.length += this.bytes.write(value, this.length, 'utf8');
  }

  /** Bytes with the four special ones escaped. */
  escapedBytes(value: Buffer): void {
    if (
      value.indexOf(BACKSLASH) === -1 &&
      value.indexOf(TAB) === -1 &&
      value.indexOf(NEWLINE) === -1 &&
      value.indexOf(NUL) === -1
    ) {
      this.reserve(value.length);
      this.length += value.copy(this.bytes, this.length);
      return;
    }
    this.reserve(value.length * 2);
    const out = this.bytes;
    let at = this.length;
    for (const byte of value) {
      if (byte === BACKSLASH || byte === TAB || byte === NEWLINE || byte === NUL) {
        out[at++] = BACKSLASH;
        out[at++] = byte === TAB ? 0x74 : byte === NEWLINE ? 0x6e : byte === NUL ? 0x30 : BACKSLASH;
      } else out[at++] = byte;
    }
    this.length = at;
  }
}

/** One input being written: rows are appended to it, a message's at a time. */
export interface EncodingInput {
  /** Encodes these rows after those already in; they can be collected as soon as this returns. */
  append(rows: readonly object[]): void;
  /** Rows appended so far. */
  readonly rows: number;
  /** The input as it stands (a view of its buffer: append nothing after sending it). */
  bytes(): Buffer;
}

/** Rows encoded into one input: call it with rows, or `start` one and append to it. */
export interface RowEncoder {
  (rows: readonly object[]): Buffer;
  start(): EncodingInput;
  /**
   * Takes back an input this encoder made, once the server has read all of it: the next inputs are
   * written over it. An input never released (one whose sending failed) is left to the garbage
   * collector.
   */
  release(input: Buffer): void;
}

/** Free buffers an encoder keeps: enough for the transactions in flight of one table. */
const FREE_BUFFERS = 4;
/** The largest buffer kept for reuse: what an ordinary batch grows to, with room to spare. */
const KEPT_BUFFER_BYTES = 16 * 1024 * 1024;
/** The first buffer of an input; it grows (is copied) when the input outgrows it. */
const FIRST_BUFFER_BYTES = 512 * 1024;

/**
 * An encoder for rows with these fields, in this order. Consecutive non-byte fields are joined into
 * one string per row before they are written, so a row of the clean table is two writes, not forty.
 *
 * Its buffers are reused: a fresh megabyte per batch lived long enough to reach V8's old space, so it
 * was freed only by a full collection, and the consumer held 60 MB of spent inputs between two.
 */
export function createRowEncoder(
  fields: ReadonlyArray<{ readonly key: string; readonly kind: FieldKind }>,
): RowEncoder {
  // A cache per column: the dates of one column share their second from row to row, those of two
  // columns of a row (a line's time and when it was read) seldom do.
  const caches = fields.map(newSecondCache);
  const free: Buffer[] = [];
  // Inputs out, by the memory they are views of (each buffer here has its own: 64 KiB and up are
  // never cut from Node's shared pool). Weak, so that an input never given back (one whose sending
  // failed) is collected rather than kept here for good.
  const lent = new WeakMap<ArrayBufferLike, Buffer>();

  const appendRows = (input: InputBuffer, rows: readonly object[]): void => {
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
    const input = new InputBuffer(free.pop() ?? Buffer.allocUnsafe(FIRST_BUFFER_BYTES));
    let rows = 0;
    let view: Buffer | undefined;
    return {
      append(more) {
        if (view !== undefined) throw new Error('rows appended to an input already taken');
        appendRows(input, more);
        rows += more.length;
      },
      get rows() {
        return rows;
      },
      bytes() {
        if (view === undefined) {
          lent.set(input.bytes.buffer, input.bytes);
          view = input.bytes.subarray(0, input.length);
        }
        return view;
      },
    };
  };
  const encode = (rows: readonly object[]): Buffer => {
    const input = start();
    input.append(rows);
    return input.bytes();
  };
  const release = (input: Buffer): void => {
    const whole = lent.get(input.buffer);
    if (whole === undefined) return;
    lent.delete(input.buffer);
    // A buffer grown for a huge row (a 16 MiB line) is left to the collector: kept, it would hold
    // that memory for good, for batches that need a fraction of it.
    if (free.length < FREE_BUFFERS && whole.length <= KEPT_BUFFER_BYTES) free.push(whole);
  };
  return Object.assign(encode, { start, release });
}
