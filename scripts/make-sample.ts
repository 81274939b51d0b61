/**
 * Writes samples/access.log: simulated traffic in the reference's `proxy` format, with a few awkward
 * lines in the middle that a log pipeline must survive. Deterministic: run it again, get the same file.
 *
 *   npx tsx scripts/make-sample.ts [output]     (default: samples/access.log)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTrafficSimulator, formatClfTime, parseUtcOffset } from '../src/sources/simulator/index.js';

const SEED = 2022;
const UTC_OFFSET = '-0500';
// 01/Nov/2022:00:00:00 -0500, the reference's first day.
const START_MS = Date.UTC(2022, 10, 1, 5, 0, 0);
const SIMULATED_LINES = 300;
const AWKWARD_AFTER = 150;
const OUTPUT = process.argv[2] ?? fileURLToPath(new URL('../samples/access.log', import.meta.url));

const sim = createTrafficSimulator({
  seed: SEED,
  startMs: START_MS,
  format: 'proxy',
  utcOffset: UTC_OFFSET,
  // About ten minutes of traffic: the demo's table shows times that spread over a few minutes.
  linesPerSecond: 0.5,
});

/** Lines the reference mishandled, each written at the current simulated time. */
function awkwardLines(): string[] {
  const repeated = sim.next();
  const time = formatClfTime(sim.nowMs, parseUtcOffset(UTC_OFFSET));
  return [
    // The same request twice in the same second: two rows, not one (the reference merged them).
    repeated,
    repeated,
    `86.139.27.204 - - [${time}] "HEAD https://www.example.com:443/ HTTP/1.1" 200 0 -`,
    `73.92.181.46 Kf3Wq8ZtP2mLx7R hannah_k [${time}] "OPTIONS https://app.example.com:443/api/v1/tasks/40912 HTTP/2.0" 204 0 -`,
    // An IPv6 client: the reference cut the address at its first colon.
    `2a01:cb00:1b2:4500:8d4e:2f1a:93c7:5e10 Q7wLm2Xp9RtK4vB sophie.martin@orange.fr [${time}] "GET https://journals.example.org:443/article/10.5555/card.2021.4242 HTTP/2.0" 200 24817 -`,
    // No [time] at all: the reference crashed on it; it must land in rejected_log.
    `90.112.48.7 - - "GET https://shop.example.net:443/cart HTTP/1.1" 200 18342 -`,
    // A TLS handshake sent to the plain-http port, logged as escaped bytes: no method, no URL.
    `45.148.10.62 - - [${time}] "\\x16\\x03\\x01\\x00\\xf7\\x01\\x00\\x00\\xf3\\x03\\x03" 400 226 -`,
  ];
}

const lines = sim.take(AWKWARD_AFTER);
lines.push(...awkwardLines(), ...sim.take(SIMULATED_LINES - AWKWARD_AFTER - 1));
mkdirSync(dirname(OUTPUT), { recursive: true });
writeFileSync(OUTPUT, `${lines.join('\n')}\n`);
process.stdout.write(`wrote ${lines.length} lines to ${OUTPUT}\n`);
