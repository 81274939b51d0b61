/**
 * Distinct visitors per bucket of time, mergeable across buckets: a HyperLogLog sketch (Flajolet et
 * al., 2007, with the linear-counting correction for small sets) of 2^12 registers. Its standard
 * error is 1.04 / √4096 ≈ 1.6 %; below a few thousand values, linear counting makes it nearly exact.
 *
 * Written here rather than taken from npm: the sketch is stored in the database, so its byte format
 * and its hash must stay ours and stable, and the npm packages for it are unmaintained or hash with a
 * 32-bit function whose collisions bias large counts. Counting a line costs a hash of its address
 * (once per distinct address in a transaction) and a comparison: no crypto, no allocation.
 *
 * Stored form: an empty buffer (no value), or `0x01` then sorted (u16 register, u8 rank) triples while
 * few registers are set (a minute of a small site is a few hundred bytes), or `0x02` then the 4096
 * registers.
 */
const PRECISION = 12;
export const REGISTERS = 1 << PRECISION;
const SPARSE = 0x01;
const DENSE = 0x02;
/** Above this many set registers the dense form is smaller. */
const SPARSE_MAX = Math.floor(REGISTERS / 3);

/** The registers of a sketch: the largest rank seen for each, 0 for none. */
export type Registers = Uint8Array;

export function emptyRegisters(): Registers {
  return new Uint8Array(REGISTERS);
}

/**
 * Where a value goes in a sketch: its register (the hash's top 12 bits) times 64, plus its rank (one
 * more than the leading zeros of the next 41 bits). Computed once per distinct value and reused.
 */
export function placeOf(value: string): number {
  const [high, low] = hash53(value);
  const register = high >>> (32 - PRECISION);
  const rest = high & ((1 << (32 - PRECISION)) - 1);
  // 20 bits of `high`, then the 21 of `low`: a rank of 1 to 42.
  const rank = rest !== 0 ? Math.clz32(rest) - PRECISION + 1 : 32 - PRECISION + (Math.clz32(low) - 11) + 1;
  return register * 64 + rank;
}

/** Adds a value by its place (`placeOf`). */
export function addPlace(registers: Registers, place: number): void {
  const register = place >>> 6;
  const rank = place & 63;
  if (rank > (registers[register] as number)) registers[register] = rank;
}

export function addValue(registers: Registers, value: string): void {
  addPlace(registers, placeOf(value));
}

/**
 * cyrb53 (bryc, public domain): 53 well-mixed bits of a string's UTF-16 code units, as a 32-bit high
 * half and a 21-bit low half. Part of the stored format: changing it would mix incompatible sketches.
 * Not cryptographic, and need not be: a client cannot choose which address it is counted under.
 */
function hash53(text: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, (h2 >>> 0) & 0x1fffff];
}

/** Takes into `into` the registers of another sketch (the union of both sets). */
export function mergeInto(into: Registers, other: Registers): void {
  for (let index = 0; index < REGISTERS; index++) {
    const rank = other[index] as number;
    if (rank > (into[index] as number)) into[index] = rank;
  }
}

/**
 * 2^-rank for every rank a register can hold (0 to 42; 63 to be safe): the same doubles as `2 ** -rank`,
 * read rather than computed, since a month's series estimates thousands of sketches and `**` with a
 * variable exponent costs more the more registers are set.
 */
const INVERSE_POWERS = Float64Array.from({ length: 64 }, (_, rank) => 2 ** -rank);

/** The estimated number of distinct values, rounded. */
export function estimate(registers: Registers): number {
  let sum = 0;
  let zeros = 0;
  for (let index = 0; index < REGISTERS; index++) {
    const rank = registers[index] as number;
    sum += INVERSE_POWERS[rank & 63] as number;
    // Without a branch: half the registers of a busy bucket are set, at random.
    zeros += (rank - 1) >>> 31;
  }
  if (zeros === REGISTERS) return 0;
  const alpha = 0.7213 / (1 + 1.079 / REGISTERS);
  const raw = (alpha * REGISTERS * REGISTERS) / sum;
  // Linear counting where the raw estimate is biased (small sets): exact enough while registers are free.
  if (raw <= 2.5 * REGISTERS && zeros > 0) return Math.round(REGISTERS * Math.log(REGISTERS / zeros));
  return Math.round(raw);
}

/** The stored form of `registers`: sparse while that is smaller. */
export function encodeSketch(registers: Registers): Buffer {
  let set = 0;
  for (let index = 0; index < REGISTERS; index++) if (registers[index] !== 0) set++;
  if (set === 0) return Buffer.alloc(0);
  if (set > SPARSE_MAX) return Buffer.concat([Buffer.of(DENSE), registers]);
  const out = Buffer.allocUnsafe(1 + set * 3);
  out[0] = SPARSE;
  let at = 1;
  for (let index = 0; index < REGISTERS; index++) {
    const rank = registers[index] as number;
    if (rank === 0) continue;
    out.writeUInt16BE(index, at);
    out[at + 2] = rank;
    at += 3;
  }
  return out;
}

/** Reads a stored sketch into `into` (merging it); throws on bytes this code did not write. */
export function mergeEncoded(into: Registers, stored: Uint8Array): void {
  // Empty, or the one byte 0x00 that migration 0007 leaves for a sketch still to be filled.
  if (stored.length === 0 || (stored.length === 1 && stored[0] === 0x00)) return;
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  if (bytes[0] === DENSE && bytes.length === 1 + REGISTERS) {
    mergeInto(into, bytes.subarray(1));
    return;
  }
  if (bytes[0] === SPARSE && (bytes.length - 1) % 3 === 0) {
    for (let at = 1; at < bytes.length; at += 3) {
      const index = ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
      const rank = bytes[at + 2] as number;
      if (index >= REGISTERS) break;
      if (rank > (into[index] as number)) into[index] = rank;
    }
    return;
  }
  throw new Error(`not a visitors sketch (${bytes.length} bytes starting with ${bytes[0]})`);
}
