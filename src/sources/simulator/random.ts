/**
 * A small seeded random number generator (sfc32, seeded through splitmix32) and the draws the
 * simulator needs. The same seed gives the same sequence on every machine; Math.random is never used.
 */

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Seeded generator with the draws the simulator uses. Not for cryptography. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const next = splitmix32(Math.trunc(seed) ^ Math.trunc(seed / 0x100000000));
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    // sfc32 starts poorly mixed: the first outputs are discarded, as its author recommends.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** An integer spread evenly on a log scale over [min, max]: sizes, ids, think times. */
  logUniform(min: number, max: number): number {
    return Math.round(min * (max / min) ** this.float());
  }

  /** An exponentially distributed gap with the given mean: the time between independent arrivals. */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** `length` characters drawn from `alphabet`. */
  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.float() * alphabet.length)];
    return out;
  }
}

/** A table of values with weights, built once, drawn from many times. */
export class Weighted<T> {
  private readonly values: readonly T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  /** `entries` are `[weight, value]` pairs; weights need not sum to 1. */
  constructor(entries: readonly (readonly [number, T])[]) {
    if (entries.length === 0) throw new RangeError('a weighted table needs at least one entry');
    this.values = entries.map(([, value]) => value);
    this.cumulative = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([weight], i) => {
      sum += weight;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  draw(rng: Random): T {
    const x = rng.float() * this.total;
    const cumulative = this.cumulative;
    let i = 0;
    while (i < cumulative.length - 1 && (cumulative[i] as number) <= x) i++;
    return this.values[i] as T;
  }
}
