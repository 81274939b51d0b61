/**
 * The dashboard's and `stats`' aggregate queries against the real local MariaDB, migrated by
 * `lograbbit setup`, with a handful of rows whose every total is known by hand.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  cleanLog,
  countRecent,
  createStatsReader,
  openStore,
  optionalColumnsOf,
  rawLog,
  rejectReasons,
  rejectedLog,
  searchRequests,
  scanHintIndexesOf,
  topValues,
  trafficSeries,
  trafficSummary,
} from '../../src/store/index.js';
import type { CleanRow, RequestRow, Store, TrafficFilter } from '../../src/store/index.js';
import { runCli } from '../helpers/cli.js';
import { createTestServices, endpointOf } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';

const T0 = Date.UTC(2026, 0, 10, 0, 0, 0);
const MINUTE = 60_000;

function idOf(n: number): Buffer {
  const id = Buffer.alloc(16);
  id.writeUInt32BE(n, 12);
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

function rowOf(known: Known): CleanRow {
  const ts = new Date(T0 + known.minute * MINUTE);
  return {
    eventId: idOf(known.n),
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

before(async () => {
  services = await createTestServices('stats_queries');
  const setup = await runCli(['setup'], { env: services.env });
  assert.equal(setup.code, 0, setup.stderr);
  store = await openStore(endpointOf(services), { timeoutMs: 5000, setup: false });
  await store.db.insert(cleanLog).values(KNOWN.map(rowOf));
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

  test('summary: requests, distinct visitors, bytes, bots, humans and unknown agents of the range', async () => {
    const summary = await trafficSummary(store.db, DAY, columns);
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
    const www = await trafficSummary(store.db, { ...DAY, source: 'www' }, columns);
    assert.equal(www.requests, 5);
    assert.equal(www.visitors, 3);
    const empty = await trafficSummary(store.db, { from: new Date(0), to: new Date(1000) }, columns);
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

  test('series: one row per hour with status classes, visitors and bots', async () => {
    const series = await trafficSeries(store.db, DAY, 3600, columns);
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
  });

  test('top values: paths, 404s, countries, statuses, hosts, users; by source too', async () => {
    const paths = await topValues(store.db, 'path', DAY, 2, columns);
    assert.deepEqual(
      paths.entries.map((entry) => [entry.value, entry.requests]),
      [
        ['/a', 2],
        ['/missing', 2],
      ],
    );
    const notFound = await topValues(store.db, 'notFound', DAY, 10, columns);
    assert.deepEqual(notFound.entries, [{ value: '/missing', requests: 2, bytes: 70 }]);
    const countries = await topValues(store.db, 'country', DAY, 10, columns);
    assert.deepEqual(countries.entries[0], { value: 'Germany', requests: 4, bytes: 153 });
    assert.ok(countries.entries.some((entry) => entry.value === 'France' && entry.requests === 2));
    const statuses = await topValues(store.db, 'status', DAY, 1, columns);
    assert.deepEqual(statuses.entries, [{ value: '200', requests: 4, bytes: 108 }]);
    const hosts = await topValues(store.db, 'host', DAY, 10, columns);
    assert.deepEqual(
      hosts.entries.map((entry) => [entry.value, entry.requests]),
      [
        ['h1', 4],
        ['h2', 4],
      ],
    );
    const users = await topValues(store.db, 'user', DAY, 10, columns);
    assert.deepEqual(
      users.entries.map((entry) => [entry.value, entry.requests]),
      [
        [null, 7],
        ['bob', 1],
      ],
    );
    const apiBrowsers = await topValues(store.db, 'browser', { ...DAY, source: 'api' }, 10, columns);
    assert.equal(apiBrowsers.entries.length, 3);
    assert.ok(apiBrowsers.entries.every((entry) => entry.requests === 1));
    const devices = await topValues(store.db, 'device', DAY, 10, columns);
    assert.deepEqual(devices.entries[0], { value: 'desktop', requests: 3, bytes: 150 });
  });

  test('a wide range scans the table instead of walking an index, with the same answer', async () => {
    const indexes = await scanHintIndexesOf(store.db);
    assert.deepEqual([...indexes].sort(), [
      'clean_log_ip_ts',
      'clean_log_source_traffic',
      'clean_log_ts_traffic',
    ]);
    for (const dimension of ['path', 'country', 'notFound'] as const) {
      const viaIndex = await topValues(store.db, dimension, DAY, 10, columns);
      const viaScan = await topValues(store.db, dimension, DAY, 10, columns, indexes);
      assert.deepEqual(viaScan, viaIndex, dimension);
    }
    // The reader takes the scan for a range that covers the data, and answers the same.
    const reader = createStatsReader(store.db);
    assert.deepEqual(await reader.top('path', DAY, 2), await topValues(store.db, 'path', DAY, 2, columns));
  });

  test('busiest hours and the reader: sources, bounds', async () => {
    const reader = createStatsReader(store.db);
    assert.deepEqual(await reader.hours(DAY), [
      { hour: 0, requests: 3, bytes: 150 },
      { hour: 1, requests: 3, bytes: 35 },
      { hour: 2, requests: 2, bytes: 3 },
    ]);
    assert.deepEqual(await reader.sources(), ['api', 'www']);
    assert.deepEqual(await reader.bounds(), { firstMs: T0, lastMs: T0 + 2880 * MINUTE });
    assert.deepEqual(await reader.bounds('api'), { firstMs: T0 + 70 * MINUTE, lastMs: T0 + 75 * MINUTE });
    assert.equal(await reader.bounds('nobody'), null);
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
    const ids = seen.map((row) => row.eventId.slice(-2));
    // 5 and 7 share a time: the larger event id comes first.
    assert.deepEqual(ids, ['09', '08', '07', '05', '04', '03', '02', '01']);
    const first = seen[0] as RequestRow;
    assert.equal(first.path, '/1000x');
    assert.equal(first.tsMs, T0 + 131 * MINUTE);
    assert.equal(first.country, 'Germany');
    assert.equal(first.isBot, false);
  });

  test('search criteria: status, status class, IP, user, literal path prefix; text is only ever a value', async () => {
    const ids = async (criteria: object) =>
      (await searchRequests(store.db, { ...DAY, ...criteria }, 50, columns)).rows.map((row) =>
        Number.parseInt(row.eventId.slice(-2), 16),
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

  test('pipeline counts: lines read in the last minute, reject reasons', async () => {
    assert.deepEqual(await countRecent(store.db, new Date(Date.now() - 60_000)), { raw: 3, rejected: 2 });
    assert.deepEqual(await rejectReasons(store.db, 10), [
      { reason: 'combined: bad status "2x0"', lines: 2 },
      { reason: 'no format matched; closest was none', lines: 1 },
    ]);
  });

  // Last: it drops columns, as a database not yet migrated to the enrichment columns lacks them.
  test('without the enrichment columns, their panels say so and the others still answer', async () => {
    await store.pool.query('ALTER TABLE clean_log DROP COLUMN country, DROP COLUMN is_bot');
    const without = await optionalColumnsOf(store.db);
    assert.ok(!without.has('country') && !without.has('is_bot') && without.has('browser'));
    assert.deepEqual(await topValues(store.db, 'country', DAY, 10, without), {
      dimension: 'country',
      available: false,
      entries: [],
    });
    const summary = await trafficSummary(store.db, DAY, without);
    assert.equal(summary.requests, 8);
    assert.equal(summary.bots, null);
    const series = await trafficSeries(store.db, DAY, 3600, without);
    assert.equal(series[1]?.bots, null);
    const page = await searchRequests(store.db, { ...DAY, status: '500' }, 10, without);
    assert.equal(page.rows[0]?.country, null);
    assert.equal(page.rows[0]?.browser, 'Firefox');
  });
});
