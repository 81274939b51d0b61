/**
 * The dashboard's figures are the stored lines' own: logs ingested through the real pipeline
 * (`lograbbit ingest`, RabbitMQ, the consumers' writer and its rollups), then /api/traffic (summary,
 * series, busiest hours) and /api/top/* asked over ranges aligned and not, of one source and of all,
 * and every count compared with the SQL aggregate over clean_log for the range the API says it
 * counted. Visitors, a sketch, are held to their stated bound.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { buildDashboardApp, createPipelineSampler } from '../../src/dashboard/index.js';
import { TOP_DIMENSIONS, createStatsReader, openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { createMetrics } from '../../src/telemetry/index.js';
import { runCli } from '../helpers/cli.js';
import { TOP_VALUE, assertRollupsMatchLines, visitorsWithinBound } from '../helpers/rollups.js';
import { createTestServices, endpointOf } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';

const H0 = Date.UTC(2026, 2, 1, 0, 0, 0);
const HOUR = 3_600_000;
const MINUTE = 60_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'curl/8.4.0',
  '-',
];

/** A combined-format time with the line's own offset: `01/Mar/2026:01:02:03 +0200`. */
function clfTime(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * MINUTE);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const offset = Math.abs(offsetMinutes);
  return `${pad(local.getUTCDate())}/${MONTHS[local.getUTCMonth()]}/${local.getUTCFullYear()}:${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${sign}${pad(Math.floor(offset / 60))}${pad(offset % 60)}`;
}

/**
 * `count` lines over five days from H0, in time order but for one in 20 written hours late (a late
 * line), with a few hundred addresses, statuses of every class, bots, people and no agent.
 */
function accessLog(count: number, seed: number): string {
  let state = seed;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    let ms = H0 + Math.floor(((index + next()) * 5 * 24 * HOUR) / count);
    if (index % 20 === 19) ms -= Math.floor(next() * 30 * HOUR);
    if (ms < H0) ms = H0 + 7_000;
    const status = pick([200, 200, 200, 301, 304, 404, 404, 500, 503, 101]);
    const path =
      index % 97 === 0
        ? `/long/${'x'.repeat(300)}/${pick(['a', 'b'])}`
        : `/${pick(['', 'shop', 'blog'])}/p${Math.floor(next() ** 2 * 30)}`;
    const user = next() < 0.1 ? pick(['ann', 'bob', 'eve@example.org']) : '-';
    const referrer = next() < 0.3 ? `https://${pick(['www.google.com', 'news.example.net'])}/q` : '-';
    lines.push(
      `198.51.100.${Math.floor(next() * 250)} - ${user} [${clfTime(ms, pick([0, 120, -300]))}] "${pick(['GET', 'POST'])} ${path} HTTP/1.1" ${status} ${status === 304 ? '-' : Math.floor(next() * 20_000)} "${referrer}" "${pick(AGENTS)}"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

let services: TestServices;
let store: Store;
let workDir: string;
let app: ReturnType<typeof buildDashboardApp>;

before(async () => {
  services = await createTestServices('dashboard_totals');
  const setup = await runCli(['setup'], { env: services.env });
  assert.equal(setup.code, 0, setup.stderr);
  workDir = await mkdtemp(join(tmpdir(), 'lograbbit-totals-'));
  for (const [name, seed] of [
    ['www.log', 7],
    ['api.log', 11],
  ] as const) {
    const file = join(workDir, name);
    await writeFile(file, accessLog(3000, seed));
    const ingest = await runCli(['ingest', file], { env: services.env });
    assert.equal(ingest.code, 0, ingest.stderr);
  }
  store = await openStore(endpointOf(services), { timeoutMs: 5000, setup: false });
  const pipeline = createPipelineSampler({
    read: () => Promise.resolve({ queues: [], rows: { raw: 0, clean: 0, rejected: 0 } }),
    intervalMs: 1000,
    keep: 1,
    workQueues: [],
    start: false,
  });
  app = buildDashboardApp({
    stats: createStatsReader(store.db),
    pipeline,
    registry: createMetrics().registry,
    readiness: () => Promise.resolve({ broker: { ok: true }, database: { ok: true } }),
    now: () => H0 + 5 * 24 * HOUR,
  });
});

after(async () => {
  await app?.close();
  await store?.close();
  await services?.teardown();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

type Row = Record<string, unknown>;
const n = (value: unknown): number => Number(value ?? 0);
/** A DATETIME as the test connection hands it over, in epoch ms. */
const ms = (value: unknown): number | null =>
  value === null || value === undefined
    ? null
    : value instanceof Date
      ? value.getTime()
      : Date.parse(`${(value as string).replace(' ', 'T')}Z`);
const sqlTime = (at: number): string => new Date(at).toISOString().replace('T', ' ').replace('Z', '');

/** The lines of [from, to) (of one source, or all) as a WHERE clause and its parameters. */
function rangeOf(from: number, to: number, source: string | undefined): [string, unknown[]] {
  const bySource = source === undefined ? '' : ' AND source = ?';
  return [
    `ts >= ? AND ts < ?${bySource}`,
    source === undefined ? [sqlTime(from), sqlTime(to)] : [sqlTime(from), sqlTime(to), source],
  ];
}

async function query(text: string, parameters: unknown[]): Promise<Row[]> {
  const [rows] = await (await services.sql()).query<RowDataPacket[]>(text, parameters);
  return rows;
}

interface TrafficBody {
  from: number;
  to: number;
  bucketSeconds: number;
  summary: Record<string, number | null>;
  series: Array<Record<string, number | null>>;
  hours: Array<{ hour: number; requests: number; bytes: number }>;
}

async function assertTrafficIsTheLines(url: string, source: string | undefined): Promise<TrafficBody> {
  const response = await app.inject(url);
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json<TrafficBody>();
  assert.equal(body.from % MINUTE, 0, 'whole minutes');
  assert.equal(body.to % MINUTE, 0, 'whole minutes');
  const [where, parameters] = rangeOf(body.from, body.to, source);
  const [summary] = await query(
    `SELECT COUNT(*) AS requests, SUM(bytes) AS bytes, SUM(is_bot <=> 1) AS bots, SUM(is_bot <=> 0) AS humans,
       SUM(is_bot IS NULL) AS unknown_agent, MIN(ts) AS first_ts, MAX(ts) AS last_ts, COUNT(DISTINCT ip) AS visitors
     FROM clean_log WHERE ${where}`,
    parameters,
  );
  assert.ok(n(summary?.requests) > 0, `${url}: the range holds lines`);
  assert.deepEqual(
    {
      requests: body.summary.requests,
      bytes: body.summary.bytes,
      bots: body.summary.bots,
      humans: body.summary.humans,
      unknownAgent: body.summary.unknownAgent,
      firstMs: body.summary.firstMs,
      lastMs: body.summary.lastMs,
    },
    {
      requests: n(summary?.requests),
      bytes: n(summary?.bytes),
      bots: n(summary?.bots),
      humans: n(summary?.humans),
      unknownAgent: n(summary?.unknown_agent),
      firstMs: ms(summary?.first_ts),
      lastMs: ms(summary?.last_ts),
    },
    `${url}: summary`,
  );
  assert.ok(
    visitorsWithinBound(n(body.summary.visitors), n(summary?.visitors)),
    `${url}: visitors ${body.summary.visitors}, exactly ${n(summary?.visitors)}`,
  );
  const seconds = body.bucketSeconds;
  const series = await query(
    `SELECT FLOOR(TIMESTAMPDIFF(SECOND, '1970-01-01', ts) / ${seconds}) * ${seconds} * 1000 AS t, COUNT(*) AS requests,
       SUM(bytes) AS bytes, SUM(status BETWEEN 200 AND 299) AS s2xx, SUM(status BETWEEN 300 AND 399) AS s3xx,
       SUM(status BETWEEN 400 AND 499) AS s4xx, SUM(status BETWEEN 500 AND 599) AS s5xx, SUM(is_bot <=> 1) AS bots,
       COUNT(DISTINCT ip) AS visitors
     FROM clean_log WHERE ${where} GROUP BY t ORDER BY t`,
    parameters,
  );
  assert.deepEqual(
    body.series.map(({ visitors: _visitors, ...bucket }) => bucket),
    series.map((row) => ({
      t: n(row.t),
      requests: n(row.requests),
      bytes: n(row.bytes),
      s2xx: n(row.s2xx),
      s3xx: n(row.s3xx),
      s4xx: n(row.s4xx),
      s5xx: n(row.s5xx),
      sOther: n(row.requests) - n(row.s2xx) - n(row.s3xx) - n(row.s4xx) - n(row.s5xx),
      bots: n(row.bots),
    })),
    `${url}: series of ${seconds} s buckets`,
  );
  series.forEach((row, index) => {
    const estimated = n(body.series[index]?.visitors);
    assert.ok(
      visitorsWithinBound(estimated, n(row.visitors)),
      `${url}: visitors ${estimated} at ${n(row.t)}`,
    );
  });
  const hours = await query(
    `SELECT HOUR(ts) AS hour, COUNT(*) AS requests, SUM(bytes) AS bytes FROM clean_log WHERE ${where}
     GROUP BY hour ORDER BY hour`,
    parameters,
  );
  assert.deepEqual(
    body.hours,
    hours.map((row) => ({ hour: n(row.hour), requests: n(row.requests), bytes: n(row.bytes) })),
    `${url}: busiest hours`,
  );
  return body;
}

async function assertTopIsTheLines(query_: string, source: string | undefined): Promise<void> {
  for (const dimension of TOP_DIMENSIONS) {
    const response = await app.inject(`/api/top/${dimension}?${query_}&limit=100`);
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json<{
      from: number;
      to: number;
      available: boolean;
      entries: Array<{ value: string | null; requests: number; bytes: number }>;
    }>();
    assert.ok(body.available);
    assert.equal(body.from % HOUR, 0, 'whole hours');
    assert.equal(body.to % HOUR, 0, 'whole hours');
    const [where, parameters] = rangeOf(body.from, body.to, source);
    const { value, where: only } = TOP_VALUE[dimension];
    const expected = await query(
      `SELECT ${value} AS value, COUNT(*) AS requests, SUM(bytes) AS bytes FROM clean_log
       WHERE ${where}${only === undefined ? '' : ` AND ${only}`} GROUP BY value`,
      parameters,
    );
    assert.ok(expected.length < 100, `${dimension}: fewer values than the limit, so all are compared`);
    const byValue = (entries: ReadonlyArray<Row>) =>
      entries
        .map((entry) => [
          entry.value === null ? null : (entry.value as string),
          n(entry.requests),
          n(entry.bytes),
        ])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    assert.deepEqual(byValue(body.entries), byValue(expected), `${query_}: top ${dimension}`);
    const counts = body.entries.map((entry) => entry.requests);
    assert.deepEqual(
      counts,
      [...counts].sort((a, b) => b - a),
      `${dimension}: most requests first`,
    );
  }
}

describe('the dashboard API counts what the lines hold', () => {
  test('the rollups were counted from the ingested lines, late ones included', async () => {
    await assertRollupsMatchLines(services);
  });

  const ranges: Array<[string, number, number]> = [
    ['whole hours, a day', H0 + 2 * HOUR, H0 + 26 * HOUR],
    [
      'odd minutes and seconds, two days',
      H0 + 2 * HOUR + 17 * MINUTE + 31_000,
      H0 + 50 * HOUR + 3 * MINUTE + 1000,
    ],
    ['a few minutes inside an hour', H0 + 30 * HOUR + 12 * MINUTE + 5000, H0 + 30 * HOUR + 19 * MINUTE],
    [
      'five days, hour buckets with partial hours at both ends',
      H0 + 13 * MINUTE,
      H0 + 119 * HOUR + 7 * MINUTE,
    ],
  ];
  for (const source of [undefined, 'www.log']) {
    for (const [label, from, to] of ranges) {
      test(`${label}, ${source ?? 'all sources'}: traffic and top lists equal the lines'`, async () => {
        const query_ = `from=${from}&to=${to}${source === undefined ? '' : `&source=${source}`}`;
        const body = await assertTrafficIsTheLines(`/api/traffic?${query_}`, source);
        assert.ok(body.from <= from && body.to >= to, 'the counted range holds the asked one');
        await assertTopIsTheLines(query_, source);
      });
    }
    test(`range=all, ${source ?? 'all sources'}: from the first line to the last`, async () => {
      const query_ = `range=all${source === undefined ? '' : `&source=${source}`}`;
      const body = await assertTrafficIsTheLines(`/api/traffic?${query_}`, source);
      const [where, parameters] = rangeOf(0, H0 + 400 * 24 * HOUR, source);
      const [all] = await query(`SELECT COUNT(*) AS n FROM clean_log WHERE ${where}`, parameters);
      assert.equal(body.summary.requests, n(all?.n), 'every line');
      await assertTopIsTheLines(query_, source);
    });
  }

  test('/api/span says how far back lines and rollups go, and how fresh the rollups are', async () => {
    const span = (await app.inject('/api/span')).json<{
      firstMs: number;
      history: { linesFromMs: number; rollupsFromMs: number; rollupsUpdatedMs: number };
    }>();
    const [row] = await query('SELECT MIN(ts) AS first FROM clean_log', []);
    assert.equal(span.firstMs, ms(row?.first));
    assert.equal(span.history.linesFromMs, ms(row?.first));
    assert.equal(span.history.rollupsFromMs, Math.floor(n(ms(row?.first)) / HOUR) * HOUR);
    assert.ok(Math.abs(span.history.rollupsUpdatedMs - Date.now()) < 10 * MINUTE);
  });
});
