/**
 * The dashboard's and `stats`' reads against the real local MariaDB, migrated by `lograbbit setup`,
 * with a handful of rows whose every total is known by hand, stored by the consumers' own writer (so
 * the rollups the traffic panels read are counted as in production).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  countRecent,
  countedLines,
  createRowWriters,
  createStatsReader,
  openStore,
  optionalColumnsOf,
  rawLog,
  rejectReasons,
  rejectedLog,
  searchRequests,
  tableSizes,
} from '../../src/store/index.js';
import type { CleanRow, RequestRow, StatsReader, Store, TrafficFilter } from '../../src/store/index.js';
import { assertRollupsMatchLines } from '../helpers/rollups.js';
import { runCli } from '../helpers/cli.js';
import { createTestServices, endpointOf } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { writeCleanOrRejected } from '../helpers/row-writes.js';

const T0 = Date.UTC(2026, 0, 10, 0, 0, 0);
const MINUTE = 60_000;

/**
 * Line n of a stream (one per source, as a file is): its offset n × 1000, so that each line's bytes
 * are its own.
 */
function idOf(n: number, stream = 0): Buffer {
  const id = Buffer.alloc(16);
  id.writeUInt8(stream, 0);
  id.writeUInt32BE(n * 1000, 12);
  return id;
}

interface Known {
  readonly n: number;
  readonly minute: number;
  readonly source: string;
  readonly ip: string;
  readonly status: number;
  readonly bytes: number;
  readonly path: string;
  readonly host: string;
  readonly country: string | null;
  readonly browser: string | null;
  readonly device: string | null;
  readonly isBot: boolean | null;
  readonly user?: string;
}

// prettier-ignore
const KNOWN: readonly Known[] = [
  { n: 1, minute: 0, source: 'www', ip: '1.1.1.1', status: 200, bytes: 100, path: '/a', host: 'h1', country: 'Germany', browser: 'Chrome', device: 'desktop', isBot: false },
  { n: 2, minute: 5, source: 'www', ip: '1.1.1.1', status: 404, bytes: 50, path: '/missing', host: 'h1', country: 'Germany', browser: 'Chrome', device: 'desktop', isBot: false },
  { n: 3, minute: 10, source: 'www', ip: '2.2.2.2', status: 500, bytes: 0, path: '/a', host: 'h2', country: 'France', browser: 'Firefox', device: 'desktop', isBot: false, user: 'bob' },
  { n: 4, minute: 70, source: 'api', ip: '3.3.3.3', status: 301, bytes: 10, path: '/b', host: 'h2', country: null, browser: 'Googlebot', device: 'bot', isBot: true },
  { n: 5, minute: 75, source: 'api', ip: '2.2.2.2', status: 404, bytes: 20, path: '/missing', host: 'h2', country: 'France', browser: 'curl', device: 'bot', isBot: true },
  { n: 7, minute: 75, source: 'api', ip: '4.4.4.4', status: 200, bytes: 5, path: '/c', host: 'h2', country: null, browser: null, device: null, isBot: null },
  { n: 8, minute: 130, source: 'www', ip: '5.5.5.5', status: 200, bytes: 1, path: '/100%_off', host: 'h1', country: 'Germany', browser: 'Chrome', device: 'mobile', isBot: false },
  { n: 9, minute: 131, source: 'www', ip: '5.5.5.5', status: 200, bytes: 2, path: '/1000x', host: 'h1', country: 'Germany', browser: 'Chrome', device: 'mobile', isBot: false },
  // Two days later: outside the range of most tests.
  { n: 6, minute: 2880, source: 'www', ip: '9.9.9.9', status: 200, bytes: 999, path: '/a', host: 'h1', country: 'Germany', browser: 'Chrome', device: 'desktop', isBot: false },
];

/** n of the line whose event id (in hex) is `hex`. */
const lineOf = (hex: string): number => Number.parseInt(hex.slice(-8), 16) / 1000;

function rowOf(known: Known): CleanRow {
  const ts = new Date(T0 + known.minute * MINUTE);
  return {
    eventId: idOf(known.n, known.source === 'www' ? 1 : 2),
    source: known.source,
    format: 'combined',
    ts,
    utcOffsetMin: 0,
    ip: known.ip,
    isEmail: false,
    user: known.user ?? null,
    method: 'GET',
    host: known.host,
    path: known.path,
    status: known.status,
    bytes: known.bytes,
    country: known.country,
    browser: known.browser,
    os: known.browser === null ? null : 'Linux',
    device: known.device,
    isBot: known.isBot,
  };
}

const DAY: TrafficFilter = { from: new Date(T0), to: new Date(T0 + 24 * 60 * MINUTE) };

let services: TestServices;
let store: Store;
let columns: ReadonlySet<string>;
let reader: StatsReader;

before(async () => {
  services = await createTestServices('stats_queries');
  const setup = await runCli(['setup'], { env: services.env });
  assert.equal(setup.code, 0, setup.stderr);
  store = await openStore(endpointOf(services), { timeoutMs: 5000, setup: false });
  const writers = createRowWriters(store.db, 'insert');
  const stored = await writeCleanOrRejected(
    writers,
    KNOWN.map((known) => ({
      table: 'clean_log' as const,
      row: rowOf(known),
      line: Buffer.from(`line ${known.n}`),
      receivedAt: new Date(),
    })),
  );
  assert.equal(stored, KNOWN.length);
  const now = Date.now();
  const raw = (n: number, source: string, agoMs: number) => ({
    eventId: idOf(100 + n),
    source,
    receivedAt: new Date(now - agoMs),
    ts: null,
    day: '1000-01-01',
    line: Buffer.from(`line ${n}`),
    truncated: false,
  });
  await store.db
    .insert(rawLog)
    .values([
      raw(1, 's1', 30_000),
      raw(2, 's1', 20_000),
      raw(3, 's2', 10_000),
      raw(4, 's1', 600_000),
      raw(5, 's2', 600_000),
    ]);
  const rejected = (n: number, agoMs: number, reason: string) => ({
    eventId: idOf(200 + n),
    source: 's1',
    receivedAt: new Date(now - agoMs),
    day: '1000-01-01',
    line: Buffer.from('garbage'),
    reason,
  });
  await store.db
    .insert(rejectedLog)
    .values([
      rejected(1, 30_000, 'combined: bad status "2x0"'),
      rejected(2, 30_000, 'combined: bad status "2x0"'),
      rejected(3, 600_000, 'no format matched; closest was none'),
    ]);
  columns = await optionalColumnsOf(store.db);
  reader = createStatsReader(store.db);
});

after(async () => {
  await store?.close();
  await services?.teardown();
});

describe('stats queries', () => {
  test('the migrated database has every optional column', () => {
    for (const column of ['country', 'browser', 'os', 'device', 'is_bot', 'referrer_host']) {
      assert.ok(columns.has(column), column);
    }
  });

  test('the rollups equal the aggregates of the stored lines', async () => {
    await assertRollupsMatchLines(services);
    assert.equal(await countedLines(store.db), KNOWN.length);
    assert.equal(await countedLines(store.db, 'api'), 3);
  });

  test('summary: requests, distinct visitors, bytes, bots, humans and unknown agents of the range', async () => {
    const { summary, from, to } = await reader.traffic(DAY, 3600);
    assert.deepEqual([from, to], [DAY.from.getTime(), DAY.to.getTime()]);
    assert.deepEqual(summary, {
      requests: 8,
      visitors: 5,
      bytes: 188,
      bots: 2,
      humans: 5,
      unknownAgent: 1,
      firstMs: T0,
      lastMs: T0 + 131 * MINUTE,
    });
    const www = (await reader.traffic({ ...DAY, source: 'www' }, 3600)).summary;
    assert.equal(www.requests, 5);
    assert.equal(www.visitors, 3);
    const empty = (await reader.traffic({ from: new Date(0), to: new Date(1000) }, 60)).summary;
    assert.deepEqual(empty, {
      requests: 0,
      visitors: 0,
      bytes: 0,
      bots: 0,
      humans: 0,
      unknownAgent: 0,
      firstMs: null,
      lastMs: null,
    });
  });

  test('a range is counted in whole minutes, snapped outwards, and says so', async () => {
    // 00:05:30 to 01:10:01: minutes 5 to 70 inclusive, hour 0 partly from minutes, minute 70 too.
    const odd = { from: new Date(T0 + 5.5 * MINUTE), to: new Date(T0 + 70 * MINUTE + 1000) };
    const report = await reader.traffic(odd, 3600);
    assert.deepEqual([report.from, report.to], [T0 + 5 * MINUTE, T0 + 71 * MINUTE]);
    // Lines 2 (minute 5), 3 (minute 10) and 4 (minute 70).
    assert.equal(report.summary.requests, 3);
    assert.equal(report.summary.bytes, 60);
    assert.deepEqual(
      report.series.map((bucket) => [bucket.t, bucket.requests]),
      [
        [T0, 2],
        [T0 + 3_600_000, 1],
      ],
    );
    const top = await reader.top('path', odd, 10);
    assert.deepEqual([top.from, top.to], [T0, T0 + 2 * 3_600_000]);
    assert.equal(
      top.entries.reduce((sum, entry) => sum + entry.requests, 0),
      6,
      'top lists count whole hours',
    );
  });

  test('series: one row per hour with status classes, visitors and bots', async () => {
    const { series, bucketSeconds } = await reader.traffic(DAY, 3600);
    assert.equal(bucketSeconds, 3600);
    assert.deepEqual(series, [
      { t: T0, requests: 3, visitors: 2, bytes: 150, s2xx: 1, s3xx: 0, s4xx: 1, s5xx: 1, sOther: 0, bots: 0 },
      {
        t: T0 + 3_600_000,
        requests: 3,
        visitors: 3,
        bytes: 35,
        s2xx: 1,
        s3xx: 1,
        s4xx: 1,
        s5xx: 0,
        sOther: 0,
        bots: 2,
      },
      {
        t: T0 + 7_200_000,
        requests: 2,
        visitors: 1,
        bytes: 3,
        s2xx: 2,
        s3xx: 0,
        s4xx: 0,
        s5xx: 0,
        sOther: 0,
        bots: 0,
      },
    ]);
    // Five-minute buckets from the minutes: lines 5 and 7 share minute 75.
    const fine = await reader.traffic({ ...DAY, source: 'api' }, 300);
    assert.deepEqual(
      fine.series.map((bucket) => [bucket.t, bucket.requests, bucket.visitors]),
      [
        [T0 + 70 * MINUTE, 1, 1],
        [T0 + 75 * MINUTE, 2, 2],
      ],
    );
  });

  test('top values: paths, 404s, countries, statuses, hosts, users; by source too', async () => {
    const paths = await reader.top('path', DAY, 2);
    assert.deepEqual(
      paths.entries.map((entry) => [entry.value, entry.requests]),
      [
        ['/a', 2],
        ['/missing', 2],
      ],
    );
    const notFound = await reader.top('notFound', DAY, 10);
    assert.deepEqual(notFound.entries, [{ value: '/missing', requests: 2, bytes: 70 }]);
    const countries = await reader.top('country', DAY, 10);
    assert.deepEqual(countries.entries[0], { value: 'Germany', requests: 4, bytes: 153 });
    assert.ok(countries.entries.some((entry) => entry.value === 'France' && entry.requests === 2));
    const statuses = await reader.top('status', DAY, 1);
    assert.deepEqual(statuses.entries, [{ value: '200', requests: 4, bytes: 108 }]);
    const hosts = await reader.top('host', DAY, 10);
    assert.deepEqual(
      hosts.entries.map((entry) => [entry.value, entry.requests]),
      [
        ['h1', 4],
        ['h2', 4],
      ],
    );
    const users = await reader.top('user', DAY, 10);
    assert.deepEqual(
      users.entries.map((entry) => [entry.value, entry.requests]),
      [
        [null, 7],
        ['bob', 1],
      ],
    );
    const apiBrowsers = await reader.top('browser', { ...DAY, source: 'api' }, 10);
    assert.equal(apiBrowsers.entries.length, 3);
    assert.ok(apiBrowsers.entries.every((entry) => entry.requests === 1));
    const devices = await reader.top('device', DAY, 10);
    assert.deepEqual(devices.entries[0], { value: 'desktop', requests: 3, bytes: 150 });
  });

  test('busiest hours, sources, bounds and how far back lines and rollups go', async () => {
    assert.deepEqual((await reader.traffic(DAY, 900)).hours, [
      { hour: 0, requests: 3, bytes: 150 },
      { hour: 1, requests: 3, bytes: 35 },
      { hour: 2, requests: 2, bytes: 3 },
    ]);
    assert.deepEqual(await reader.sources(), ['api', 'www']);
    assert.deepEqual(await reader.bounds(), { firstMs: T0, lastMs: T0 + 2880 * MINUTE });
    assert.deepEqual(await reader.bounds('api'), { firstMs: T0 + 70 * MINUTE, lastMs: T0 + 75 * MINUTE });
    assert.equal(await reader.bounds('nobody'), null);
    const history = await reader.history();
    assert.equal(history.linesFromMs, T0);
    assert.equal(history.rollupsFromMs, T0);
    assert.ok(
      history.rollupsUpdatedMs !== null && Math.abs(history.rollupsUpdatedMs - Date.now()) < 600_000,
      'the rollups counted lines minutes ago at most',
    );
  });

  test('search pages newest first by (ts, event id), every row once', async () => {
    const seen: RequestRow[] = [];
    let after;
    for (let pages = 0; pages < 10; pages++) {
      const page = await searchRequests(store.db, DAY, 3, columns, after);
      seen.push(...page.rows);
      if (page.next === null) break;
      after = page.next;
    }
    const ids = seen.map((row) => lineOf(row.eventId));
    // 5 and 7 share a time: the larger event id comes first.
    assert.deepEqual(ids, [9, 8, 7, 5, 4, 3, 2, 1]);
    const first = seen[0] as RequestRow;
    assert.equal(first.path, '/1000x');
    assert.equal(first.tsMs, T0 + 131 * MINUTE);
    assert.equal(first.country, 'Germany');
    assert.equal(first.isBot, false);
  });

  test('search criteria: status, status class, IP, user, literal path prefix; text is only ever a value', async () => {
    const ids = async (criteria: object) =>
      (await searchRequests(store.db, { ...DAY, ...criteria }, 50, columns)).rows.map((row) =>
        lineOf(row.eventId),
      );
    assert.deepEqual(await ids({ status: '404' }), [5, 2]);
    assert.deepEqual(await ids({ status: '2xx' }), [9, 8, 7, 1]);
    assert.deepEqual(await ids({ ip: '2.2.2.2' }), [5, 3]);
    assert.deepEqual(await ids({ user: 'bob' }), [3]);
    assert.deepEqual(await ids({ pathPrefix: '/100%' }), [8]);
    assert.deepEqual(await ids({ pathPrefix: '/100' }), [9, 8]);
    assert.deepEqual(await ids({ pathPrefix: '/m', source: 'api' }), [5]);
    assert.deepEqual(await ids({ pathPrefix: "/a' OR '1'='1" }), []);
    assert.deepEqual(await ids({ user: "' OR 1=1 -- " }), []);
  });

  test('pipeline counts: lines read in the last minute, reject reasons, table sizes', async () => {
    assert.deepEqual(await countRecent(store.db, new Date(Date.now() - 60_000)), { raw: 3, rejected: 2 });
    assert.deepEqual(await tableSizes(store.db), {
      raw: { rows: 5, exact: true },
      clean: { rows: KNOWN.length, exact: true },
      rejected: { rows: 3, exact: true },
    });
    // Above the threshold, InnoDB's estimate (whatever it is, it is said to be one).
    const estimated = await tableSizes(store.db, 0);
    assert.equal(estimated.clean.exact, false);
    const day = new Date(Date.now() - 86_400_000);
    assert.deepEqual(await rejectReasons(store.db, 10, day), [
      { reason: 'combined: bad status "2x0"', lines: 2 },
      { reason: 'no format matched; closest was none', lines: 1 },
    ]);
    // Only the lines read since then; at most so many of the newest per source.
    const minute = new Date(Date.now() - 60_000);
    assert.deepEqual(await rejectReasons(store.db, 10, minute), [
      { reason: 'combined: bad status "2x0"', lines: 2 },
    ]);
    assert.deepEqual(await rejectReasons(store.db, 10, day, 1), [
      { reason: 'combined: bad status "2x0"', lines: 1 },
    ]);
  });

  // Last: it drops columns, as a database not yet migrated to the enrichment columns lacks them.
  test('without the enrichment columns, their panels say so and the others still answer', async () => {
    await store.pool.query('ALTER TABLE clean_log DROP COLUMN country, DROP COLUMN is_bot');
    const without = await optionalColumnsOf(store.db);
    assert.ok(!without.has('country') && !without.has('is_bot') && without.has('browser'));
    // A new reader: the one above trusts its look-up of the columns for a minute.
    const fresh = createStatsReader(store.db);
    assert.deepEqual(await fresh.top('country', DAY, 10), {
      dimension: 'country',
      available: false,
      from: DAY.from.getTime(),
      to: DAY.to.getTime(),
      entries: [],
    });
    const { summary, series } = await fresh.traffic(DAY, 3600);
    assert.equal(summary.requests, 8);
    assert.equal(summary.bots, null);
    assert.equal(series[1]?.bots, null);
    const page = await searchRequests(store.db, { ...DAY, status: '500' }, 10, without);
    assert.equal(page.rows[0]?.country, null);
    assert.equal(page.rows[0]?.browser, 'Firefox');
  });

  test('a database without the rollups: the traffic panels say to run setup', async () => {
    await store.pool.query('DROP TABLE rollup_top');
    const fresh = createStatsReader(store.db);
    await assert.rejects(fresh.traffic(DAY, 3600), /no rollup_top yet: run `lograbbit setup`/);
    await assert.rejects(fresh.top('path', DAY, 10), /run `lograbbit setup`/);
    assert.equal((await fresh.search(DAY, 10)).rows.length, 8, 'the search still answers');
  });
});
