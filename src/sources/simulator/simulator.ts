/**
 * The traffic simulator: a pool of visits in progress, a clock that advances by random gaps, and one
 * line per request. Deterministic: the same options give the same lines, on any machine.
 */
import { ClfClock, parseUtcOffset } from './clf-time.js';
import { SIMULATED_FORMATS, combinedLine, commonLine, proxyLine, type SimulatedFormat } from './lines.js';
import { Random } from './random.js';
import { accounts } from './users.js';
import { isDone, newVisitor, nextRequest, type Visitor } from './visitors.js';

/** What to simulate. Only `seed`, `startMs` and `format` are required. */
export interface TrafficSimulatorOptions {
  /** Same seed, same lines. Any finite number; integers are the usual choice. */
  readonly seed: number;
  /** Time of the first request, epoch milliseconds (UTC). */
  readonly startMs: number;
  readonly format: SimulatedFormat;
  /** The offset from UTC the lines are written at, `±hhmm`. Default `-0500`, as in samples/access.log. */
  readonly utcOffset?: string;
  /** Mean requests per second of simulated time; gaps between requests are exponential. Default 5. */
  readonly linesPerSecond?: number;
  /** Visits in progress at once: more interleaves more visitors' requests. Default 32. */
  readonly concurrentVisits?: number;
}

/** Defaults of the optional settings. */
export const SIMULATOR_DEFAULTS = Object.freeze({
  utcOffset: '-0500',
  linesPerSecond: 5,
  concurrentVisits: 32,
});

/** A stream of simulated access-log lines; it never ends. */
export interface TrafficSimulator {
  /** The next line, without its newline. */
  next(): string;
  /** The next `count` lines. */
  take(count: number): string[];
  /** Time of the last line written (its exact instant, before it is cut to the second), epoch ms. */
  readonly nowMs: number;
}

// Most requests of a page come in a burst: its assets follow it before another visitor's request.
const BURST_CONTINUE = 0.8;
// A double-clicked link or a client retry: the same request twice in the same second.
const REPEAT_CHANCE = 0.001;
// Distinct accounts that sign in, drawn once per simulator.
const ACCOUNTS = 400;
// Share of empty bodies a common or combined log writes as `-` (Apache) rather than `0` (nginx).
const DASH_FOR_EMPTY = 0.5;
const MIN_EPOCH_MS = Date.UTC(1000, 0, 2);
const END_EPOCH_MS = Date.UTC(9999, 11, 31);

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

/**
 * Creates a simulator. Throws a RangeError naming the option when one is out of range.
 *
 * @example
 * const sim = createTrafficSimulator({ seed: 42, startMs: Date.UTC(2022, 10, 1, 5), format: 'proxy' });
 * sim.next(); // '73.41.208.17 Xy7Pq2LmN4rT8vB - [01/Nov/2022:00:00:00 -0500] "GET https://…" 200 30013 -'
 */
export function createTrafficSimulator(options: TrafficSimulatorOptions): TrafficSimulator {
  const { seed, startMs, format } = options;
  const linesPerSecond = options.linesPerSecond ?? SIMULATOR_DEFAULTS.linesPerSecond;
  const concurrentVisits = options.concurrentVisits ?? SIMULATOR_DEFAULTS.concurrentVisits;
  check(Number.isFinite(seed), `seed must be a finite number, got ${seed}`);
  check(
    Number.isFinite(startMs) && startMs >= MIN_EPOCH_MS && startMs < END_EPOCH_MS,
    `startMs must be an epoch time in years 1000..9999, got ${startMs}`,
  );
  check(
    SIMULATED_FORMATS.includes(format),
    `format must be one of ${SIMULATED_FORMATS.join(', ')}, got ${String(format)}`,
  );
  check(
    Number.isFinite(linesPerSecond) && linesPerSecond > 0,
    `linesPerSecond must be a positive number, got ${linesPerSecond}`,
  );
  check(
    Number.isInteger(concurrentVisits) && concurrentVisits >= 1 && concurrentVisits <= 100_000,
    `concurrentVisits must be a whole number from 1 to 100000, got ${concurrentVisits}`,
  );
  const clock = new ClfClock(parseUtcOffset(options.utcOffset ?? SIMULATOR_DEFAULTS.utcOffset));
  const rng = new Random(seed);
  const users = accounts(rng, ACCOUNTS);
  const pool: Visitor[] = [];
  for (let i = 0; i < concurrentVisits; i++) pool.push(newVisitor(rng, users));
  const meanGapMs = 1000 / linesPerSecond;

  let nowMs = startMs;
  let first = true;
  let slot = 0;
  let last = '';

  function next(): string {
    if (!first && rng.chance(REPEAT_CHANCE)) return last;
    if (first) first = false;
    else nowMs += rng.exponential(meanGapMs);
    const current = pool[slot] as Visitor;
    if (current.head >= current.pending.length || !rng.chance(BURST_CONTINUE)) slot = rng.below(pool.length);
    const visitor = pool[slot] as Visitor;
    const request = nextRequest(rng, visitor);
    if (isDone(visitor)) pool[slot] = newVisitor(rng, users);
    const time = clock.format(nowMs);
    if (format === 'proxy') last = proxyLine(request, time);
    else if (format === 'common') last = commonLine(request, time, rng.chance(DASH_FOR_EMPTY));
    else last = combinedLine(request, time, rng.chance(DASH_FOR_EMPTY));
    return last;
  }

  return {
    next,
    take(count) {
      const lines: string[] = [];
      for (let i = 0; i < count; i++) lines.push(next());
      return lines;
    },
    get nowMs() {
      return nowMs;
    },
  };
}
