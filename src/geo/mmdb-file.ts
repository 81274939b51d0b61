/**
 * An MMDB file read where it lies, instead of whole into memory.
 *
 * maxmind's `Reader` takes the whole file as one Buffer: the shipped DB-IP City pair is 134 MB, held
 * again by every consumer process. A lookup needs a few hundred of those bytes: at most 32 (IPv4) or
 * 128 (IPv6) nodes of the search tree, then one record of the data section. So both are read through
 * a small cache of pages (4 MiB for the tree, 2 MiB for the data, per file), and the kernel's page
 * cache keeps the file warm and shares it between processes. Records decode to the same values as
 * maxmind's (the tests compare the two on thousands of addresses).
 *
 * The format: https://maxmind.github.io/MaxMind-DB/
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parseIpv4, parseIpv6 } from '../enrich/index.js';

/** `\xAB\xCD\xEFMaxMind.com`, which starts the metadata section. */
const METADATA_MARKER = Buffer.from('ABCDEF4D61784D696E642E636F6D', 'hex');
/** The spec bounds the metadata section, found at the end of the file, to 128 KiB. */
const METADATA_MAX_BYTES = 128 * 1024;
/** Sixteen zero bytes sit between the search tree and the data section. */
const DATA_SEPARATOR_BYTES = 16;
const PAGE_BYTES = 4096;
/** Records decoded, remembered by offset: many addresses share a city. */
const RECORD_CACHE_ENTRIES = 10_000;

export interface MmdbFileOptions {
  /**
   * Pages held at once (4 KiB each): this many for the tree, half as many for the data. The default,
   * 1,024 (4 MiB), keeps the top of the tree and the branches busy visitors use; a page missed costs
   * one read from the kernel's page cache (its cost: bench/RESULTS.md).
   */
  readonly pageSlots?: number;
}

/** What the file says of itself (its metadata section), as this reader uses it. */
export interface MmdbMetadata {
  readonly databaseType: string;
  readonly buildEpoch: Date;
  readonly ipVersion: number;
  readonly nodeCount: number;
  readonly recordSize: number;
  readonly nodeByteSize: number;
  readonly searchTreeSize: number;
}

function readExactly(fd: number, into: Buffer, position: number): void {
  let done = 0;
  while (done < into.length) {
    const read = readSync(fd, into, done, into.length - done, position + done);
    if (read === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += read;
  }
}

/** Bytes the decoder reads: a region of the file through pages, or a buffer (the metadata). */
interface ByteSource {
  byte(offset: number): number;
  bytes(offset: number, length: number): Buffer;
}

class BufferSource implements ByteSource {
  constructor(private readonly buffer: Buffer) {}
  byte(offset: number): number {
    const value = this.buffer[offset];
    if (value === undefined) throw new Error(`byte ${offset} is past the end of the metadata`);
    return value;
  }
  bytes(offset: number, length: number): Buffer {
    if (offset + length > this.buffer.length)
      throw new Error(`byte ${offset + length} is past the end of the metadata`);
    return this.buffer.subarray(offset, offset + length);
  }
}

/**
 * A region of the file (the search tree, or the data section) read through a direct-mapped cache of
 * pages: page p lives in slot p % slots, so finding one is one comparison and the memory is fixed,
 * however many addresses are looked up.
 */
class FilePages implements ByteSource {
  private readonly slots: number;
  private readonly cache: Buffer;
  private readonly pageInSlot: Float64Array;
  /** Pages read from the file so far (a measure of the cache, for tests and tuning). */
  reads = 0;

  constructor(
    private readonly fd: number,
    private readonly start: number,
    readonly length: number,
    slots: number,
  ) {
    this.slots = Math.max(2, Math.min(slots, Math.ceil(length / PAGE_BYTES)));
    // Unfilled until a page lands in it: a slot never used costs no resident memory.
    this.cache = Buffer.allocUnsafeSlow(this.slots * PAGE_BYTES);
    this.pageInSlot = new Float64Array(this.slots).fill(-1);
  }

  /** Where `page` starts in `cache`, reading it in when it is not there. */
  private slotStart(page: number): number {
    const slot = page % this.slots;
    const start = slot * PAGE_BYTES;
    if (this.pageInSlot[slot] !== page) {
      if (page < 0 || page * PAGE_BYTES >= this.length) {
        throw new Error(`byte ${page * PAGE_BYTES} is outside this part of the MMDB file`);
      }
      const length = Math.min(PAGE_BYTES, this.length - page * PAGE_BYTES);
      readExactly(this.fd, this.cache.subarray(start, start + length), this.start + page * PAGE_BYTES);
      this.pageInSlot[slot] = page;
      this.reads += 1;
    }
    return start;
  }

  /** The byte at `offset`. */
  byte(offset: number): number {
    const page = Math.floor(offset / PAGE_BYTES);
    return this.cache[this.slotStart(page) + offset - page * PAGE_BYTES] ?? 0;
  }

  /**
   * `length` bytes from `offset`: a view of the cache when they lie in one page, valid only until
   * the next read; a copy when they span pages.
   */
  bytes(offset: number, length: number): Buffer {
    const page = Math.floor(offset / PAGE_BYTES);
    const inPage = offset - page * PAGE_BYTES;
    if (inPage + length <= PAGE_BYTES) {
      const start = this.slotStart(page) + inPage;
      return this.cache.subarray(start, start + length);
    }
    const copy = Buffer.allocUnsafe(length);
    for (let done = 0; done < length;) {
      const at = offset + done;
      const atPage = Math.floor(at / PAGE_BYTES);
      const from = at - atPage * PAGE_BYTES;
      const take = Math.min(length - done, PAGE_BYTES - from);
      const start = this.slotStart(atPage) + from;
      this.cache.copy(copy, done, start, start + take);
      done += take;
    }
    return copy;
  }

  /** The left (bit 0) or right (bit 1) record of the tree node at `offset`. */
  record(offset: number, nodeBytes: number, recordSize: number, bit: number): number {
    const page = Math.floor(offset / PAGE_BYTES);
    const inPage = offset - page * PAGE_BYTES;
    // Read in place: the walk's hot path, a node at a time.
    if (inPage + nodeBytes <= PAGE_BYTES) {
      return recordOf(this.cache, this.slotStart(page) + inPage, recordSize, bit);
    }
    return recordOf(this.bytes(offset, nodeBytes), 0, recordSize, bit);
  }
}

/** A value decoded from the data section, and where the next one starts. */
interface Decoded {
  value: unknown;
  next: number;
}

/** What a pointer's size (0 to 3) adds to the value it carries (spec). */
const POINTER_BASE = [0, 2048, 526_336, 0];

/**
 * Decodes the data section's values as mmdb-lib does (so records equal maxmind's, key for key), but
 * reading through pages. Types, from the spec: 1 pointer, 2 UTF-8 string, 3 double, 4 bytes,
 * 5 uint16, 6 uint32, 7 map, 8 int32, 9 uint64, 10 uint128, 11 array, 14 boolean, 15 float.
 */
function decodeAt(data: ByteSource, offset: number): Decoded {
  let at = offset;
  const control = data.byte(at++);
  let type = control >> 5;
  if (type === 1) {
    const size = (control >> 3) & 3;
    const tail = data.bytes(at, size + 1);
    const low =
      size === 3
        ? tail.readUInt32BE(0)
        : (control & 7) * 2 ** (8 * (size + 1)) + tail.readUIntBE(0, size + 1);
    return { value: decodeAt(data, low + (POINTER_BASE[size] ?? 0)).value, next: at + size + 1 };
  }
  if (type === 0) {
    type = 7 + data.byte(at++);
    if (type < 8) throw new Error(`invalid extended type at byte ${offset} of the data section`);
  }
  let size = control & 0x1f;
  if (size === 29) size = 29 + data.byte(at++);
  else if (size === 30) {
    size = 285 + data.bytes(at, 2).readUInt16BE(0);
    at += 2;
  } else if (size === 31) {
    size = 65_821 + data.bytes(at, 3).readUIntBE(0, 3);
    at += 3;
  }
  switch (type) {
    case 7: {
      const map: Record<string, unknown> = {};
      for (let i = 0; i < size; i += 1) {
        const key = decodeAt(data, at);
        const value = decodeAt(data, key.next);
        map[String(key.value)] = value.value;
        at = value.next;
      }
      return { value: map, next: at };
    }
    case 11: {
      const array: unknown[] = [];
      for (let i = 0; i < size; i += 1) {
        const item = decodeAt(data, at);
        array.push(item.value);
        at = item.next;
      }
      return { value: array, next: at };
    }
    case 14:
      return { value: size !== 0, next: at };
    case 2:
      return { value: size === 0 ? '' : data.bytes(at, size).toString('utf8'), next: at + size };
    case 3:
      return { value: data.bytes(at, 8).readDoubleBE(0), next: at + size };
    case 15:
      return { value: data.bytes(at, 4).readFloatBE(0), next: at + size };
    case 4:
      return { value: Buffer.from(data.bytes(at, size)), next: at + size };
    case 5:
    case 6:
      if (size > 4) throw new Error(`invalid size ${size} for an unsigned integer`);
      return { value: size === 0 ? 0 : data.bytes(at, size).readUIntBE(0, size), next: at + size };
    case 8: {
      if (size === 0) return { value: 0, next: at };
      const bytes = data.bytes(at, size);
      return { value: size < 4 ? bytes.readUIntBE(0, size) : bytes.readInt32BE(0), next: at + size };
    }
    case 9:
    case 10: {
      if (size > 16) throw new Error(`invalid size ${size} for a big unsigned integer`);
      let integer = 0n;
      for (const byte of data.bytes(at, size)) integer = (integer << 8n) | BigInt(byte);
      return { value: integer, next: at + size };
    }
    default:
      throw new Error(`unknown type ${type} at byte ${offset} of the data section`);
  }
}

/** The left (bit 0) or right (bit 1) record of the node at `at`, per the spec's record sizes. */
function recordOf(bytes: Buffer, at: number, recordSize: number, bit: number): number {
  switch (recordSize) {
    case 24:
      return bytes.readUIntBE(at + 3 * bit, 3);
    case 28: {
      // The middle byte holds the high nibble of each record: left's on top, right's below.
      const middle = bytes[at + 3] ?? 0;
      return bit === 0
        ? (middle & 0xf0) * 0x100000 + bytes.readUIntBE(at, 3)
        : (middle & 0x0f) * 0x1000000 + bytes.readUIntBE(at + 4, 3);
    }
    default:
      return bytes.readUInt32BE(at + 4 * bit);
  }
}

/**
 * The bytes of an address in text: 4 for IPv4, 16 for IPv6 (a `%zone` ignored), or null when the text
 * is not one. The parsing is the enricher's, which already judges every client address.
 */
function addressBytes(ip: string): number[] | null {
  if (ip.indexOf(':') === -1) {
    const v4 = parseIpv4(ip);
    return v4 === -1 ? null : [v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff];
  }
  return parseIpv6(ip)?.flatMap((group) => [group >> 8, group & 0xff]) ?? null;
}

function metadataOf(tail: Buffer): MmdbMetadata {
  const marker = tail.lastIndexOf(METADATA_MARKER);
  if (marker === -1) throw new Error('no MMDB metadata (not an MMDB file?)');
  const found = decodeAt(new BufferSource(tail), marker + METADATA_MARKER.length).value;
  const fields = (found !== null && typeof found === 'object' ? found : {}) as Record<string, unknown>;
  const recordSize = Number(fields.record_size);
  const nodeCount = Number(fields.node_count);
  if (![24, 28, 32].includes(recordSize))
    throw new Error(`unsupported record size ${String(fields.record_size)}`);
  if (!Number.isSafeInteger(nodeCount) || nodeCount <= 0) throw new Error('no node count in the metadata');
  return {
    databaseType: typeof fields.database_type === 'string' ? fields.database_type : 'MMDB',
    buildEpoch: new Date(Number(fields.build_epoch) * 1000),
    ipVersion: Number(fields.ip_version),
    nodeCount,
    recordSize,
    nodeByteSize: recordSize / 4,
    searchTreeSize: (nodeCount * recordSize) / 4,
  };
}

/** An open MMDB file: `get` answers what maxmind's `Reader.get` would, holding only a few pages. */
export class MmdbFile {
  readonly metadata: MmdbMetadata;
  private readonly fd: number;
  private readonly tree: FilePages;
  private readonly data: FilePages;
  private readonly ipv4Start: number;
  private readonly records = new Map<number, unknown>();

  /** Opens `path`; throws when it is not an MMDB file. */
  constructor(path: string, options: MmdbFileOptions = {}) {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const tailBytes = Math.min(size, METADATA_MAX_BYTES);
      const tail = Buffer.alloc(tailBytes);
      readExactly(fd, tail, size - tailBytes);
      this.metadata = metadataOf(tail);
      const { searchTreeSize } = this.metadata;
      const dataStart = searchTreeSize + DATA_SEPARATOR_BYTES;
      const dataEnd = size - tailBytes + tail.lastIndexOf(METADATA_MARKER);
      if (dataEnd < dataStart) throw new Error('the search tree overruns the file');
      const slots = options.pageSlots ?? 1024;
      this.tree = new FilePages(fd, 0, searchTreeSize, slots);
      // Pointers in the data section count from its start.
      this.data = new FilePages(fd, dataStart, dataEnd - dataStart, Math.ceil(slots / 2));
      this.fd = fd;
      this.ipv4Start = this.findIpv4Start();
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Pages read from the file since it was opened. */
  get pageReads(): number {
    return this.tree.reads + this.data.reads;
  }

  private next(nodeNumber: number, bit: number): number {
    const { nodeByteSize, recordSize } = this.metadata;
    return this.tree.record(nodeNumber * nodeByteSize, nodeByteSize, recordSize, bit);
  }

  // In an IPv6 tree, IPv4 addresses live under 96 zero bits (`::a.b.c.d`).
  private findIpv4Start(): number {
    if (this.metadata.ipVersion === 4) return 0;
    let nodeNumber = 0;
    for (let i = 0; i < 96 && nodeNumber < this.metadata.nodeCount; i += 1) {
      nodeNumber = this.next(nodeNumber, 0);
    }
    return nodeNumber;
  }

  /** The record for `ip`, or null when the file has none (or `ip` is not an address it can hold). */
  get(ip: string): unknown {
    const address = addressBytes(ip);
    if (address === null) return null;
    // An IPv4-only tree has no place for a 128-bit address; walking it would answer a wrong place.
    if (address.length === 16 && this.metadata.ipVersion === 4) return null;
    const { nodeCount } = this.metadata;
    let nodeNumber = address.length === 4 ? this.ipv4Start : 0;
    const bits = address.length * 8;
    for (let depth = 0; depth < bits && nodeNumber < nodeCount; depth += 1) {
      const bit = ((address[depth >> 3] ?? 0) >> (7 - (depth & 7))) & 1;
      nodeNumber = this.next(nodeNumber, bit);
    }
    // nodeCount itself means "no data"; beyond it, a record points into the data section.
    if (nodeNumber <= nodeCount) return null;
    const offset = nodeNumber - nodeCount - DATA_SEPARATOR_BYTES;
    const known = this.records.get(offset);
    if (known !== undefined) return known;
    const record = decodeAt(this.data, offset).value;
    if (this.records.size >= RECORD_CACHE_ENTRIES) this.records.clear();
    this.records.set(offset, record);
    return record;
  }

  /** Closes the file; `get` throws after. */
  close(): void {
    closeSync(this.fd);
  }
}
