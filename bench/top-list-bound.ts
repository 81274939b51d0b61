/**
 * Benchmark (counts, not times): how many stored (value, requests) pairs an exact top list must read,
 * with the design we have and with the best-known one that could read fewer.
 *
 *   node --import tsx bench/top-list-bound.ts [--database lograbbit_bench_dashboard] [--k 10]
 *     [--dimensions notFound,user,path]
 *
 * A top list over a range sums its buckets' pairs (rollup_top_day for its whole days, rollup_top for
 * the hours at its edges) and keeps the k largest sums. `topOver` reads every pair of those buckets.
 * Fagin's threshold algorithm (Fagin, Lotem, Naor, "Optimal aggregation algorithms for middleware",
 * 2001) is the known way to read fewer: each bucket's pairs sorted by requests (an index a design
 * would add), read a rank at a time across all buckets; every new value's sum completed by a lookup
 * in each other bucket; stop when the k-th best sum reaches the sum of the requests at the current
 * rank. It is instance-optimal among exact algorithms of sorted and random reads, so what it reads
 * on this data is a floor for any design that sums per-bucket pairs. This bench replays it in memory
 * on the pairs a database holds and counts its reads: run on two sizes, it says whether any such
 * design could make a panel's reads (and so its time) flat between them.
 *
 * DB_HOST/DB_USER/DB_PASSWORD from the environment; reads only.
 */
import mysql from 'mysql2/promise';
import { getTableName } from '../src/store/drizzle.js';
import { TOP_LEVELS, coverOf, hoursOf } from '../src/store/rollup-queries.js';
import { DAY_MS } from '../src/store/rollup/tally.js';
import { OTHER_VALUE_KEY } from '../src/store/rollup/top-compaction.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};
const DATABASE = option('--database') ?? 'lograbbit_bench_dashboard';
const K = Number(option('--k') ?? 10);
const DIMENSIONS = (option('--dimensions') ?? 'notFound,user,path').split(',');
if (!Number.isInteger(K) || K < 1) {
  process.stderr.write(
    `top-list-bound: --k: expected a whole number of at least 1 (got "${option('--k')}")\n`,
  );
  process.exit(2);
}

/** One bucket's pairs, most requests first: what an index on (bucket, requests) would give. */
type Bucket = Array<{ key: string; requests: number }>;

interface Reads {
  /** Pairs in the range's buckets: what topOver reads. */
  readonly pairs: number;
  readonly sorted: number;
  readonly random: number;
  /** The k largest sums it found, largest first. */
  readonly top: readonly number[];
}

/** Fagin's threshold algorithm over `buckets` for the `k` largest sums: its sorted and random reads. */
function thresholdReads(buckets: readonly Bucket[], k: number): Reads {
  const maps = lookupsOf(buckets);
  const pairs = buckets.reduce((sum, bucket) => sum + bucket.length, 0);
  const seen = new Set<string>();
  const best: number[] = [];
  let sorted = 0;
  let random = 0;
  const deepest = Math.max(0, ...buckets.map((bucket) => bucket.length));
  for (let rank = 0; rank < deepest; rank++) {
    let threshold = 0;
    for (const [at, bucket] of buckets.entries()) {
      const pair = bucket[rank];
      if (pair === undefined) continue;
      sorted++;
      threshold += pair.requests;
      if (seen.has(pair.key)) continue;
      seen.add(pair.key);
      let sum = 0;
      for (const [other, map] of maps.entries()) {
        if (other !== at) random++;
        sum += map.get(pair.key) ?? 0;
      }
      best.push(sum);
      best.sort((a, b) => b - a);
      if (best.length > k) best.pop();
    }
    if (best.length === k && (best[k - 1] ?? 0) >= threshold) break;
  }
  return { pairs, sorted, random, top: best };
}

/**
 * The same list by sorted reads alone (Fagin's "no random access" algorithm): a value's sum is known
 * to lie between what was read of it and that plus, for each bucket not yet showing it, the requests
 * at the rank reached there. Reading stops once the k-th lower bound reaches every other upper
 * bound; then the k values' sums are completed by a lookup in each bucket that did not show them.
 */
function sortedOnlyReads(buckets: readonly Bucket[], k: number): { reads: number; top: number[] } {
  const maps = lookupsOf(buckets);
  const values = new Map<string, { lower: number; lists: number[] }>();
  const last = buckets.map(() => 0);
  let sorted = 0;
  const deepest = Math.max(0, ...buckets.map((bucket) => bucket.length));
  for (let rank = 0; rank < deepest; rank++) {
    for (const [at, bucket] of buckets.entries()) {
      const pair = bucket[rank];
      // A bucket read to its end holds no value still unseen: it adds nothing to any bound.
      last[at] = pair?.requests ?? 0;
      if (pair === undefined) continue;
      sorted++;
      const value = values.get(pair.key) ?? { lower: 0, lists: [] };
      value.lower += pair.requests;
      value.lists.push(at);
      values.set(pair.key, value);
    }
    const threshold = last.reduce((sum, requests) => sum + requests, 0);
    const bounds = [...values].map(([key, value]) => ({
      key,
      value,
      lower: value.lower,
      upper: value.lower + threshold - value.lists.reduce((sum, at) => sum + (last[at] ?? 0), 0),
    }));
    if (bounds.length < k) continue;
    bounds.sort((a, b) => b.lower - a.lower);
    const kth = bounds[k - 1]?.lower ?? 0;
    let rest = threshold;
    for (const bound of bounds.slice(k)) rest = Math.max(rest, bound.upper);
    if (kth >= rest) {
      const kept = bounds.slice(0, k);
      const lookups = kept.reduce((sum, bound) => sum + buckets.length - bound.value.lists.length, 0);
      return {
        reads: sorted + lookups,
        top: kept.map((bound) => sumOf(maps, bound.key)).sort(descending),
      };
    }
  }
  return {
    reads: sorted,
    top: [...values.keys()]
      .map((key) => sumOf(maps, key))
      .sort(descending)
      .slice(0, k),
  };
}

const descending = (a: number, b: number): number => b - a;

/** Each bucket's requests by value: what a lookup by the primary key finds. */
function lookupsOf(buckets: readonly Bucket[]): Array<Map<string, number>> {
  return buckets.map((bucket) => new Map(bucket.map((pair) => [pair.key, pair.requests])));
}

/** A value's requests summed over every bucket: the lookups that complete a kept value's sum. */
function sumOf(maps: ReadonlyArray<Map<string, number>>, key: string): number {
  let sum = 0;
  for (const map of maps) sum += map.get(key) ?? 0;
  return sum;
}

/** The k largest sums, summed the way topOver does: every pair read. */
function bruteTop(buckets: readonly Bucket[], k: number): number[] {
  const sums = new Map<string, number>();
  for (const bucket of buckets)
    for (const pair of bucket) sums.set(pair.key, (sums.get(pair.key) ?? 0) + pair.requests);
  return [...sums.values()].sort((a, b) => b - a).slice(0, k);
}

async function bucketsOf(
  connection: mysql.Connection,
  dimension: string,
  from: number,
  to: number,
): Promise<Bucket[]> {
  const range = hoursOf({ from: new Date(from), to: new Date(to) });
  const buckets = new Map<string, Bucket>();
  for (const part of coverOf(range.from.getTime(), range.to.getTime(), TOP_LEVELS)) {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      `SELECT source, bucket, HEX(value_key) AS value_key, requests FROM ${getTableName(part.level.table)}
       WHERE dimension = ? AND bucket >= ? AND bucket < ? AND value_key <> ?`,
      [dimension, new Date(part.from), new Date(part.to), OTHER_VALUE_KEY],
    );
    for (const row of rows) {
      const name = `${getTableName(part.level.table)}/${String(row.source)}/${String(row.bucket)}`;
      let bucket = buckets.get(name);
      if (bucket === undefined) buckets.set(name, (bucket = []));
      bucket.push({ key: String(row.value_key), requests: Number(row.requests) });
    }
  }
  const all = [...buckets.values()];
  for (const bucket of all) bucket.sort((a, b) => b.requests - a.requests);
  return all;
}

async function main(): Promise<void> {
  const connection = await mysql.createConnection({
    host: process.env.DB_HOST ?? '127.0.0.1',
    user: process.env.DB_USER ?? 'root',
    password: process.env.DB_PASSWORD ?? '',
    database: DATABASE,
    timezone: 'Z',
  });
  try {
    const [[count]] = await connection.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM clean_log');
    const now = Date.now();
    const ranges: Array<[string, number]> = [
      ['1 day', DAY_MS],
      ['7 days', 7 * DAY_MS],
      ['30 days', 30 * DAY_MS],
    ];
    console.log(`${DATABASE}: ${Number(count?.n).toLocaleString('en-US')} rows in clean_log, top ${K}`);
    console.log(
      'dimension  range    buckets  pairs (read now)  threshold: sorted + random = total  sorted only  fewest',
    );
    for (const dimension of DIMENSIONS) {
      for (const [label, span] of ranges) {
        const buckets = await bucketsOf(connection, dimension, now - span, now + 1);
        const reads = thresholdReads(buckets, K);
        // The replay must find what reading every pair finds, or its counts mean nothing.
        if (reads.top.join() !== bruteTop(buckets, K).join()) {
          throw new Error(
            `${dimension} over ${label}: the threshold algorithm's top ${K} differs from the sums'`,
          );
        }
        const sortedOnly = sortedOnlyReads(buckets, K);
        if (sortedOnly.top.join() !== bruteTop(buckets, K).join()) {
          throw new Error(`${dimension} over ${label}: the sorted-only top ${K} differs from the sums'`);
        }
        const fewest = Math.min(reads.pairs, reads.sorted + reads.random, sortedOnly.reads);
        console.log(
          `${dimension.padEnd(9)}  ${label.padEnd(7)}  ${String(buckets.length).padStart(7)}  ${String(reads.pairs).padStart(16)}  ${String(reads.sorted).padStart(17)} + ${String(reads.random).padStart(6)} = ${String(reads.sorted + reads.random).padEnd(6)}  ${String(sortedOnly.reads).padStart(11)}  ${fewest}`,
        );
      }
    }
  } finally {
    await connection.end();
  }
}

await main();
