/**
 * A tiny MMDB writer for tests: the networks given, each with a record of strings, in a tree of any
 * record size (24, 28 or 32 bits) and IP version. Enough of https://maxmind.github.io/MaxMind-DB/ to
 * build files the shipped databases do not cover (the shipped ones all use 28-bit records).
 */
import { isIPv4 } from 'node:net';

export interface MmdbNetwork {
  /** `a.b.c.d/n` or an IPv6 `prefix/n`. */
  readonly cidr: string;
  readonly record: Readonly<Record<string, string>>;
}

export interface MmdbSpec {
  readonly ipVersion: 4 | 6;
  readonly recordSize: 24 | 28 | 32;
  readonly networks: readonly MmdbNetwork[];
}

function bytesOf(address: string): number[] {
  if (isIPv4(address)) return address.split('.').map(Number);
  const [head = '', tail = ''] = address.split('::');
  const groups = (text: string): number[] => (text === '' ? [] : text.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.flatMap((group) => [group >> 8, group & 0xff]);
}

function bitOf(bytes: readonly number[], index: number): number {
  return ((bytes[index >> 3] ?? 0) >> (7 - (index & 7))) & 1;
}

function control(type: number, size: number): number[] {
  if (size >= 29) throw new Error('the test writer only writes short values');
  return type <= 7 ? [(type << 5) | size] : [size, type - 7];
}

function encodeString(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...control(2, bytes.length), ...bytes];
}

function encodeUint(type: 5 | 6, value: number): number[] {
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return [...control(type, bytes.length), ...bytes];
}

function encodeMap(entries: readonly [string, number[]][]): number[] {
  return [
    ...control(7, entries.length),
    ...entries.flatMap(([key, value]) => [...encodeString(key), ...value]),
  ];
}

function writeRecord(node: Buffer, recordSize: number, left: number, right: number): void {
  if (recordSize === 24) {
    node.writeUIntBE(left, 0, 3);
    node.writeUIntBE(right, 3, 3);
  } else if (recordSize === 28) {
    node.writeUIntBE(left % 0x1000000, 0, 3);
    node[3] = (Math.floor(left / 0x1000000) << 4) | Math.floor(right / 0x1000000);
    node.writeUIntBE(right % 0x1000000, 4, 3);
  } else {
    node.writeUInt32BE(left, 0);
    node.writeUInt32BE(right, 4);
  }
}

interface TrieNode {
  children: [TrieNode | number | null, TrieNode | number | null];
}

/** The bytes of an MMDB file holding `spec.networks` (later networks win where they overlap). */
export function writeMmdb(spec: MmdbSpec): Buffer {
  const data: number[] = [];
  const root: TrieNode = { children: [null, null] };
  for (const { cidr, record } of spec.networks) {
    const [address = '', length = '0'] = cidr.split('/');
    let bits = bytesOf(address);
    let prefix = Number(length);
    if (bits.length === 4 && spec.ipVersion === 6) {
      bits = [...new Array<number>(12).fill(0), ...bits];
      prefix += 96;
    }
    const dataOffset = data.length;
    data.push(...encodeMap(Object.entries(record).map(([key, value]) => [key, encodeString(value)])));
    let node = root;
    for (let depth = 0; depth < prefix - 1; depth += 1) {
      const bit = bitOf(bits, depth);
      const child = node.children[bit];
      if (typeof child === 'object' && child !== null) {
        node = child;
      } else {
        // A record already here is split: both halves keep it, and the new network overrides one.
        const split: TrieNode = { children: [child ?? null, child ?? null] };
        node.children[bit] = split;
        node = split;
      }
    }
    node.children[bitOf(bits, prefix - 1)] = dataOffset;
  }

  const nodes: TrieNode[] = [];
  const queue: TrieNode[] = [root];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    nodes.push(next);
    for (const child of next.children) if (typeof child === 'object' && child !== null) queue.push(child);
  }
  const nodeCount = nodes.length;
  const numberOf = new Map(nodes.map((node, index) => [node, index]));
  const recordValue = (child: TrieNode | number | null): number => {
    if (child === null) return nodeCount;
    if (typeof child === 'number') return nodeCount + 16 + child;
    return numberOf.get(child) ?? nodeCount;
  };
  const nodeBytes = spec.recordSize / 4;
  const tree = Buffer.alloc(nodeCount * nodeBytes);
  nodes.forEach((node, index) => {
    writeRecord(
      tree.subarray(index * nodeBytes, (index + 1) * nodeBytes),
      spec.recordSize,
      recordValue(node.children[0]),
      recordValue(node.children[1]),
    );
  });

  const metadata = encodeMap([
    ['binary_format_major_version', encodeUint(5, 2)],
    ['binary_format_minor_version', encodeUint(5, 0)],
    ['build_epoch', encodeUint(6, Date.UTC(2026, 0, 2) / 1000)],
    ['database_type', encodeString('Test-City')],
    ['ip_version', encodeUint(5, spec.ipVersion)],
    ['node_count', encodeUint(6, nodeCount)],
    ['record_size', encodeUint(5, spec.recordSize)],
  ]);
  return Buffer.concat([
    tree,
    Buffer.alloc(16),
    Buffer.from(data),
    Buffer.from('ABCDEF4D61784D696E642E636F6D', 'hex'),
    Buffer.from(metadata),
  ]);
}
