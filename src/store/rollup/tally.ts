/**
 * From the clean rows of a transaction to what they add to the rollups: pure, no SQL. The rows of
 * one message become a `CountingUnit` when they are added to a transaction (their few fields the
 * rollups need, so the rows themselves need not be kept); at commit, the units' lines not counted yet
 * are summed per source and bucket (`tallyOf`).
 */
import { createHash } from 'node:crypto';
import { detachedText } from '../../domain/index.js';
import type { CleanRow } from '../schema.js';
import { addPlace, emptyRegisters, placeOf } from './hll.js';
import type { Registers } from './hll.js';

/** Columns a "top" panel can rank (the dashboard's panels, `stats --top`). */
export const TOP_DIMENSIONS = [
  'path',
  'notFound',
  'host',
  'country',
  'browser',
  'os',
  'device',
  'referrer',
  'status',
  'user',
] as const;
export type TopDimension = (typeof TOP_DIMENSIONS)[number];

/** The characters of a path a top panel shows and groups by (the column's LEFT(path, 255)). */
export const TOP_VALUE_CHARACTERS = 255;

/** What the rollups need of one clean line, as `addLine` takes it. */
export interface CountedLine {
  readonly offset: number;
  readonly tsMs: number;
  readonly status: number;
  readonly bytes: number;
  readonly isBot: boolean | null;
  readonly ip: string | null;
  /** Per dimension, in TOP_DIMENSIONS order: the value, null for none, undefined when the line has no place in that panel. */
  readonly values: ReadonlyArray<string | null | undefined>;
}

/** Numbers kept per clean line in a unit: its offset, time (epoch ms), status, bytes, and bot (1, 0, or -1 unknown). */
export const NUMBERS_PER_LINE = 5;
/** Texts kept per clean line in a unit: its address, then path, host, country, browser, os, device, referrer, user. */
export const TEXTS_PER_LINE = 9;

/**
 * The distinct texts of one transaction's clean lines, each held once, as a string of its own. A
 * line's texts are slices of the line (its address, path, referrer…): kept as they are, each would
 * keep its whole line alive until the commit, and most of them repeat from line to line. Units keep
 * a number per text instead, which this table turns back into the text when the lines are counted.
 */
export class TextTable {
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];

  /** The number of `text` in this table (-1 for none), added if new. */
  idOf(text: string | null | undefined): number {
    if (text === null || text === undefined) return -1;
    let id = this.ids.get(text);
    if (id === undefined) {
      const own = detachedText(text);
      id = this.texts.push(own) - 1;
      this.ids.set(own, id);
    }
    return id;
  }

  /** The text numbered `id`, or null for -1. */
  textOf(id: number): string | null {
    return id < 0 ? null : (this.texts[id] as string);
  }
}

/**
 * The lines of one message (one stream) in a transaction, and the byte range they cover. Its clean
 * lines are kept as columns, not as an object each: they wait from the transaction's forming to its
 * commit, hundreds of milliseconds, and two small objects a line made V8 decide to allocate them in
 * its old space straight away (allocation-site pretenuring), where only a full collection frees them
 * and what they point to (bench/RESULTS.md, issue 18).
 */
export interface CountingUnit {
  readonly streamId: Buffer;
  readonly source: string;
  /** The first line's offset and the end of the last line's bytes. */
  readonly start: number;
  readonly end: number;
  /** How many clean lines it has. */
  readonly lineCount: number;
  /** NUMBERS_PER_LINE a clean line. */
  readonly numbers: Float64Array;
  /** TEXTS_PER_LINE a clean line: their numbers in `table`. */
  readonly texts: Int32Array;
  /** The transaction's texts, shared by its units. */
  readonly table: TextTable;
}

/** A unit's clean lines as they are being written down (`addCountedLine`). */
export interface CountedColumns {
  lineCount: number;
  readonly numbers: Float64Array;
  readonly texts: Int32Array;
  readonly table: TextTable;
}

/** Columns with room for `lines` clean lines, whose texts go to `table`. */
export function countedColumns(lines: number, table: TextTable): CountedColumns {
  return {
    lineCount: 0,
    numbers: new Float64Array(lines * NUMBERS_PER_LINE),
    texts: new Int32Array(lines * TEXTS_PER_LINE),
    table,
  };
}

/** The first `max` characters (code points, as SQL's LEFT counts them) of `text`. */
export function leftCharacters(text: string, max: number): string {
  if (text.length <= max) return text;
  let count = 0;
  let index = 0;
  while (index < text.length && count < max) {
    const code = text.charCodeAt(index);
    index += code >= 0xd800 && code <= 0xdbff && index + 1 < text.length ? 2 : 1;
    count++;
  }
  return text.slice(0, index);
}

/** Writes down what the rollups need of a clean row (at `offset`) as the next line of `columns`. */
export function addCountedLine(columns: CountedColumns, row: CleanRow, offset: number): void {
  const { numbers, texts, table } = columns;
  let at = columns.lineCount * NUMBERS_PER_LINE;
  numbers[at++] = offset;
  numbers[at++] = row.ts.getTime();
  numbers[at++] = row.status;
  numbers[at++] = row.bytes;
  numbers[at] = row.isBot === true ? 1 : row.isBot === false ? 0 : -1;
  at = columns.lineCount * TEXTS_PER_LINE;
  texts[at++] = table.idOf(row.ip);
  texts[at++] = table.idOf(
    row.path === null || row.path === undefined ? null : leftCharacters(row.path, TOP_VALUE_CHARACTERS),
  );
  texts[at++] = table.idOf(row.host);
  texts[at++] = table.idOf(row.country);
  texts[at++] = table.idOf(row.browser);
  texts[at++] = table.idOf(row.os);
  texts[at++] = table.idOf(row.device);
  texts[at++] = table.idOf(row.referrerHost);
  texts[at] = table.idOf(row.user);
  columns.lineCount++;
}

/**
 * Calls `visit` with each clean line of `unit`, in order, as one object reused from line to line:
 * `visit` may keep the line's texts, not the line.
 */
export function forEachCountedLine(unit: CountingUnit, visit: (line: CountedLine) => void): void {
  const values: Array<string | null | undefined> = new Array<string | null | undefined>(
    TOP_DIMENSIONS.length,
  );
  const line = {
    offset: 0,
    tsMs: 0,
    status: 0,
    bytes: 0,
    isBot: null as boolean | null,
    ip: null as string | null,
    values,
  };
  const { numbers, texts, table } = unit;
  for (let index = 0; index < unit.lineCount; index++) {
    let at = index * NUMBERS_PER_LINE;
    line.offset = numbers[at++] as number;
    line.tsMs = numbers[at++] as number;
    line.status = numbers[at++] as number;
    line.bytes = numbers[at++] as number;
    const bot = numbers[at] as number;
    line.isBot = bot === 1 ? true : bot === 0 ? false : null;
    at = index * TEXTS_PER_LINE;
    line.ip = table.textOf(texts[at++] as number);
    const path = table.textOf(texts[at++] as number);
    // In TOP_DIMENSIONS order.
    values[0] = path;
    values[1] = line.status === 404 ? path : undefined;
    values[2] = table.textOf(texts[at++] as number);
    values[3] = table.textOf(texts[at++] as number);
    values[4] = table.textOf(texts[at++] as number);
    values[5] = table.textOf(texts[at++] as number);
    values[6] = table.textOf(texts[at++] as number);
    values[7] = table.textOf(texts[at++] as number);
    values[8] = String(line.status);
    values[9] = table.textOf(texts[at] as number);
    visit(line);
  }
}

export interface TrafficTally {
  readonly source: string;
  /** Start of the bucket, epoch ms. */
  readonly bucketMs: number;
  requests: number;
  bytes: number;
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
  bots: number;
  humans: number;
  firstMs: number;
  lastMs: number;
  /** Undefined while no line of the bucket had a client address. */
  visitors: Registers | undefined;
}

export interface TopTally {
  readonly dimension: TopDimension;
  readonly source: string;
  readonly bucketMs: number;
  readonly valueKey: Buffer;
  readonly value: string | null;
  requests: number;
  bytes: number;
}

/** The top values of one source and hour: per dimension (TOP_DIMENSIONS order), per value. */
interface HourTop {
  readonly source: string;
  readonly hourMs: number;
  readonly dimensions: Array<Map<string | null, TopTally>>;
}

export interface Tally {
  readonly minutes: Map<string, TrafficTally>;
  readonly hours: Map<string, TrafficTally>;
  readonly days: Map<string, TrafficTally>;
  /**
   * The top values per hour and source. The days' are made from them when written
   * (`dayTopTalliesOf`): a transaction's lines are mostly of one hour, whose entries are then the
   * day's too, and a second set of entries per line would be memory and work for nothing.
   */
  readonly topHours: Map<string, HourTop>;
  lines: number;
  /** Each distinct address's place in a sketch, hashed once (addresses repeat within a batch). */
  readonly places: Map<string, number>;
  /** The top values' keys, in blocks (see `ValueKeys`). */
  readonly valueKeys: ValueKeys;
  /** The buckets of the last line: consecutive lines share them, and their keys need not be made again. */
  last:
    | {
        source: string;
        minuteMs: number;
        hourMs: number;
        minute: TrafficTally;
        hour: TrafficTally;
        day: TrafficTally;
        top: Array<Map<string | null, TopTally>>;
      }
    | undefined;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export function emptyTally(): Tally {
  return {
    minutes: new Map(),
    hours: new Map(),
    days: new Map(),
    topHours: new Map(),
    lines: 0,
    places: new Map(),
    valueKeys: new ValueKeys(),
    last: undefined,
  };
}

/** Every top value of the tally's hours. */
export function* topTalliesOf(tally: Tally): Generator<TopTally> {
  for (const hour of tally.topHours.values()) for (const values of hour.dimensions) yield* values.values();
}

/**
 * The top values per day (their `bucketMs` still an hour's: the writer takes the day it is in).
 * A day of which the tally has one hour, the common case, has that hour's entries; the hours of a
 * day with several are summed into new ones.
 */
export function dayTopTalliesOf(tally: Tally): TopTally[] {
  const hoursOfDay = new Map<string, HourTop[]>();
  for (const hour of tally.topHours.values()) {
    const key = `${Math.floor(hour.hourMs / DAY_MS) * DAY_MS}\u0000${hour.source}`;
    const hours = hoursOfDay.get(key);
    if (hours === undefined) hoursOfDay.set(key, [hour]);
    else hours.push(hour);
  }
  const days: TopTally[] = [];
  for (const hours of hoursOfDay.values()) {
    const [first, ...others] = hours as [HourTop, ...HourTop[]];
    if (others.length === 0) {
      for (const values of first.dimensions) days.push(...values.values());
      continue;
    }
    for (let index = 0; index < TOP_DIMENSIONS.length; index++) {
      const summed = new Map<string | null, TopTally>();
      for (const hour of hours) {
        for (const [value, top] of hour.dimensions[index] as Map<string | null, TopTally>) {
          const sum = summed.get(value);
          if (sum === undefined) summed.set(value, { ...top });
          else {
            sum.requests += top.requests;
            sum.bytes += top.bytes;
          }
        }
      }
      days.push(...summed.values());
    }
  }
  return days;
}

const VALUE_KEY_BYTES = 16;
const VALUE_KEYS_PER_BLOCK = 256;

/**
 * A tally's value keys, each a view of a shared block. A Buffer of its own per key is an ArrayBuffer
 * per distinct value of the transaction (about one for two lines), each with its own bookkeeping
 * outside the JavaScript heap; they live until the commit, long enough to be freed only by a full
 * collection (bench/RESULTS.md, issue 18).
 */
export class ValueKeys {
  private block = Buffer.alloc(0);
  private used = 0;

  /** The key `value` is stored under: MD5 of its bytes, all zeros for null. */
  keyOf(value: string | null): Buffer {
    if (this.used + VALUE_KEY_BYTES > this.block.length) {
      this.block = Buffer.allocUnsafe(VALUE_KEY_BYTES * VALUE_KEYS_PER_BLOCK);
      this.used = 0;
    }
    const key = this.block.subarray(this.used, this.used + VALUE_KEY_BYTES);
    this.used += VALUE_KEY_BYTES;
    if (value === null) key.fill(0);
    else createHash('md5').update(value, 'utf8').digest().copy(key);
    return key;
  }
}

function trafficOf(buckets: Map<string, TrafficTally>, source: string, bucketMs: number): TrafficTally {
  const key = `${bucketMs}\u0000${source}`;
  let tally = buckets.get(key);
  if (tally === undefined) {
    tally = {
      source,
      bucketMs,
      requests: 0,
      bytes: 0,
      s2xx: 0,
      s3xx: 0,
      s4xx: 0,
      s5xx: 0,
      bots: 0,
      humans: 0,
      firstMs: Number.POSITIVE_INFINITY,
      lastMs: Number.NEGATIVE_INFINITY,
      visitors: undefined,
    };
    buckets.set(key, tally);
  }
  return tally;
}

function addTraffic(tally: TrafficTally, line: CountedLine, place: number | undefined): void {
  tally.requests++;
  tally.bytes += line.bytes;
  const statusClass = Math.floor(line.status / 100);
  if (statusClass === 2) tally.s2xx++;
  else if (statusClass === 3) tally.s3xx++;
  else if (statusClass === 4) tally.s4xx++;
  else if (statusClass === 5) tally.s5xx++;
  if (line.isBot === true) tally.bots++;
  else if (line.isBot === false) tally.humans++;
  if (line.tsMs < tally.firstMs) tally.firstMs = line.tsMs;
  if (line.tsMs > tally.lastMs) tally.lastMs = line.tsMs;
  if (place !== undefined) addPlace((tally.visitors ??= emptyRegisters()), place);
}

/** The buckets of a line of `source` at `tsMs`: the last line's when they are the same. */
function bucketsOf(tally: Tally, source: string, tsMs: number): NonNullable<Tally['last']> {
  const minuteMs = Math.floor(tsMs / MINUTE_MS) * MINUTE_MS;
  const last = tally.last;
  if (last !== undefined && last.minuteMs === minuteMs && last.source === source) return last;
  const hourMs = Math.floor(tsMs / HOUR_MS) * HOUR_MS;
  const hourKey = `${hourMs}\u0000${source}`;
  let top = tally.topHours.get(hourKey);
  if (top === undefined) {
    top = { source, hourMs, dimensions: TOP_DIMENSIONS.map(() => new Map<string | null, TopTally>()) };
    tally.topHours.set(hourKey, top);
  }
  tally.last = {
    source,
    minuteMs,
    hourMs,
    minute: trafficOf(tally.minutes, source, minuteMs),
    hour: trafficOf(tally.hours, source, hourMs),
    day: trafficOf(tally.days, source, Math.floor(tsMs / DAY_MS) * DAY_MS),
    top: top.dimensions,
  };
  return tally.last;
}

/** Adds one line of `source` to the tally. */
export function addLine(tally: Tally, source: string, line: CountedLine): void {
  const buckets = bucketsOf(tally, source, line.tsMs);
  let place: number | undefined;
  if (line.ip !== null) {
    place = tally.places.get(line.ip);
    if (place === undefined) tally.places.set(line.ip, (place = placeOf(line.ip)));
  }
  addTraffic(buckets.minute, line, place);
  addTraffic(buckets.hour, line, place);
  addTraffic(buckets.day, line, place);
  for (let index = 0; index < TOP_DIMENSIONS.length; index++) {
    const value = line.values[index];
    if (value === undefined) continue;
    const values = buckets.top[index] as Map<string | null, TopTally>;
    let top = values.get(value);
    if (top === undefined) {
      const dimension = TOP_DIMENSIONS[index] as TopDimension;
      top = {
        dimension,
        source,
        bucketMs: buckets.hourMs,
        valueKey: tally.valueKeys.keyOf(value),
        value,
        requests: 0,
        bytes: 0,
      };
      values.set(value, top);
    }
    top.requests++;
    top.bytes += line.bytes;
  }
  tally.lines++;
}
