/** The dashboard app through fastify's inject(): no port, a fake store, the real routes. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createMetrics } from '../../../src/telemetry/index.js';
import { buildDashboardApp, createPipelineSampler, TOKEN_COOKIE } from '../../../src/dashboard/index.js';
import type { Readiness } from '../../../src/dashboard/index.js';
import { RollupsMissingError } from '../../../src/store/index.js';
import type { StatsReader, TrafficFilter } from '../../../src/store/index.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

/** A StatsReader that records what it was asked and answers fixed values. */
function fakeStats(): StatsReader & { calls: Array<[string, unknown[]]> } {
  const calls: Array<[string, unknown[]]> = [];
  const record =
    <T>(name: string, value: T) =>
    (...args: unknown[]) => {
      calls.push([name, args]);
      return Promise.resolve(value);
    };
  return {
    calls,
    sources: record('sources', ['api', 'www']),
    bounds: record('bounds', { firstMs: NOW - 3_600_000, lastMs: NOW - 60_000 }),
    traffic: (...args: unknown[]) => {
      calls.push(['traffic', args]);
      const [filter, bucketSeconds] = args as [TrafficFilter, number];
      // The real reader snaps the range to whole minutes; the routes answer with what it says.
      return Promise.resolve({
        from: filter.from.getTime() - 1,
        to: filter.to.getTime() + 1,
        bucketSeconds,
        series: [
          {
            t: NOW - 60_000,
            requests: 3,
            visitors: 2,
            bytes: 10,
            s2xx: 2,
            s3xx: 0,
            s4xx: 1,
            s5xx: 0,
            sOther: 0,
            bots: 1,
          },
        ],
        summary: {
          requests: 3,
          visitors: 2,
          bytes: 10,
          bots: 1,
          humans: 2,
          unknownAgent: 0,
          firstMs: NOW - 60_000,
          lastMs: NOW - 60_000,
        },
        hours: [{ hour: 11, requests: 3, bytes: 10 }],
      });
    },
    top: record('top', {
      dimension: 'path',
      available: true,
      from: NOW - 3_600_000,
      to: NOW,
      entries: [{ value: '/', requests: 3, bytes: 10 }],
    }),
    history: record('history', {
      linesFromMs: NOW - 7_200_000,
      rollupsFromMs: NOW - 7_200_000,
      rollupsUpdatedMs: NOW,
    }),
    search: record('search', {
      rows: [],
      next: { ts: new Date(NOW - 1000), eventId: Buffer.alloc(16, 1) },
    }),
    readLag: record('readLag', { kind: 'replica', secondsBehind: 4, running: true }),
  };
}

function build(options: { token?: string; readiness?: Readiness } = {}) {
  const stats = fakeStats();
  const metrics = createMetrics();
  metrics.confirmed(42);
  const pipeline = createPipelineSampler({
    read: () =>
      Promise.resolve({
        queues: [{ queue: 'data-lake', ready: 7, consumers: 1 }],
        rows: { raw: 10, clean: 9, rejected: 1 },
      }),
    intervalMs: 1000,
    keep: 10,
    workQueues: ['data-lake', 'data-clean'],
    start: false,
  });
  const app = buildDashboardApp({
    stats,
    pipeline,
    registry: metrics.registry,
    readiness: options.readiness ?? (() => Promise.resolve({ broker: { ok: true }, database: { ok: true } })),
    token: options.token,
    now: () => NOW,
  });
  after(() => app.close());
  return { app, stats, pipeline };
}

describe('dashboard app', () => {
  test('serves the page and its assets from this origin, uPlot included', async () => {
    const { app } = build();
    const page = await app.inject('/');
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.headers['content-security-policy'] as string, /default-src 'self'/);
    assert.match(page.body, /IP Geolocation by DB-IP/);
    assert.doesNotMatch(page.body, /https?:\/\/(?!db-ip\.com|creativecommons\.org)/, 'no third-party asset');
    for (const [path, type] of [
      ['/assets/app.js', /javascript/],
      ['/assets/app.css', /css/],
      ['/assets/uplot.js', /javascript/],
      ['/assets/uplot.css', /css/],
    ] as const) {
      const response = await app.inject(path);
      assert.equal(response.statusCode, 200, path);
      assert.match(response.headers['content-type'] as string, type);
    }
    assert.match((await app.inject('/assets/uplot.js')).body, /uPlot/);
    assert.equal((await app.inject('/assets/../package.json')).statusCode, 404);
  });

  test('/api/traffic resolves a preset range relative to now and picks the buckets', async () => {
    const { app, stats } = build();
    const response = await app.inject('/api/traffic?range=1h&source=www');
    assert.equal(response.statusCode, 200);
    const body = response.json<{
      from: number;
      to: number;
      bucketSeconds: number;
      computedAt: number;
      summary: { requests: number };
    }>();
    // The range the reader says it counted, not the one asked for.
    assert.equal(body.from, NOW - 3_600_000 - 1);
    assert.equal(body.to, NOW + 2);
    assert.equal(body.bucketSeconds, 60);
    assert.equal(body.computedAt, NOW);
    assert.equal(body.summary.requests, 3);
    const [, [filter, bucket]] = stats.calls.find(([name]) => name === 'traffic') as [
      string,
      [TrafficFilter, number],
    ];
    assert.equal(filter.source, 'www');
    assert.equal(filter.from.getTime(), NOW - 3_600_000);
    assert.equal(filter.to.getTime(), NOW + 1);
    assert.equal(bucket, 60);
  });

  test('range=all spans the data of the source', async () => {
    const { app } = build();
    const body = (await app.inject('/api/traffic?range=all')).json<{ from: number; to: number }>();
    assert.equal(body.from, NOW - 3_600_000 - 1);
    assert.equal(body.to, NOW - 60_000 + 2);
  });

  test('/api/span tells the data’s first and last time and the range to open on', async () => {
    const { app, stats } = build();
    const response = await app.inject('/api/span?source=www');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      source: 'www',
      firstMs: NOW - 3_600_000,
      lastMs: NOW - 60_000,
      now: NOW,
      range: '6h',
      history: { linesFromMs: NOW - 7_200_000, rollupsFromMs: NOW - 7_200_000, rollupsUpdatedMs: NOW },
    });
    assert.deepEqual(stats.calls.find(([name]) => name === 'bounds')?.[1], ['www']);
  });

  test('a bad parameter is a 400 naming it, and reaches no query', async () => {
    const { app, stats } = build();
    for (const url of [
      '/api/traffic?range=forever',
      '/api/top/password',
      '/api/top/path?limit=0',
      '/api/requests?status=1%20OR%201=1',
      '/api/requests?cursor=zzz',
      '/api/traffic?from=5',
    ]) {
      const response = await app.inject(url);
      assert.equal(response.statusCode, 400, url);
      assert.ok(response.json<{ error: string }>().error.length > 0);
    }
    assert.equal(stats.calls.filter(([name]) => name !== 'bounds').length, 0);
  });

  test('a database without the rollups: 503 saying to run setup', async () => {
    const { app, stats } = build();
    stats.traffic = () => Promise.reject(new RollupsMissingError(['rollup_hour']));
    const response = await app.inject('/api/traffic?range=1h');
    assert.equal(response.statusCode, 503);
    assert.match(response.json<{ error: string }>().error, /no rollup_hour yet: run `lograbbit setup`/);
  });

  test('/api/top and /api/requests hand the store values, and page with a cursor', async () => {
    const { app, stats } = build();
    const top = await app.inject('/api/top/notFound?range=24h&limit=5');
    assert.equal(top.statusCode, 200);
    const [, topArgs] = stats.calls.find(([name]) => name === 'top') as [string, unknown[]];
    assert.equal(topArgs[0], 'notFound');
    assert.equal(topArgs[2], 5);
    const page = await app.inject('/api/requests?status=404&path=/a%25b&ip=10.0.0.1&user=bob&limit=20');
    assert.equal(page.statusCode, 200);
    assert.equal(page.json<{ next: string }>().next, `${NOW - 1000}-${'01'.repeat(16)}`);
    const [, searchArgs] = stats.calls.find(([name]) => name === 'search') as [string, unknown[]];
    assert.deepEqual(
      { ...(searchArgs[0] as object), from: undefined, to: undefined },
      {
        from: undefined,
        to: undefined,
        source: undefined,
        status: '404',
        pathPrefix: '/a%b',
        ip: '10.0.0.1',
        user: 'bob',
      },
    );
    assert.equal(searchArgs[1], 20);
  });

  test('/api/pipeline samples once when nothing was sampled yet', async () => {
    const { app } = build();
    const body = (await app.inject('/api/pipeline')).json<{ samples: Array<{ queues: unknown[] }> }>();
    assert.equal(body.samples.length, 1);
    assert.deepEqual(body.samples[0]?.queues, [{ queue: 'data-lake', ready: 7, consumers: 1 }]);
  });

  test('/api/read-lag says how far behind its source the node read from is', async () => {
    const { app } = build();
    assert.deepEqual((await app.inject('/api/read-lag')).json(), {
      lag: { kind: 'replica', secondsBehind: 4, running: true },
    });
  });

  test('/healthz, /readyz and /metrics', async () => {
    let databaseUp = true;
    const { app } = build({
      readiness: () =>
        Promise.resolve({
          broker: { ok: true },
          database: databaseUp ? { ok: true } : { ok: false, error: 'connection refused' },
        }),
    });
    assert.equal((await app.inject('/healthz')).statusCode, 200);
    assert.equal((await app.inject('/readyz')).statusCode, 200);
    databaseUp = false;
    const notReady = await app.inject('/readyz');
    assert.equal(notReady.statusCode, 503);
    assert.equal(
      notReady.json<{ checks: { database: { error: string } } }>().checks.database.error,
      'connection refused',
    );
    const metrics = await app.inject('/metrics');
    assert.match(metrics.headers['content-type'] as string, /text\/plain/);
    assert.match(metrics.body, /^lograbbit_lines_confirmed_total 42$/m);
  });

  test('with a token: 401 without it, Bearer or cookie with it, /?token= sets the cookie; /healthz stays open', async () => {
    const token = 'a-long-enough-secret-token';
    const { app } = build({ token });
    assert.equal((await app.inject('/')).statusCode, 401);
    assert.equal((await app.inject('/api/sources')).statusCode, 401);
    assert.equal((await app.inject('/metrics')).statusCode, 401);
    assert.equal(
      (await app.inject({ url: '/api/sources', headers: { authorization: 'Bearer wrong' } })).statusCode,
      401,
    );
    assert.equal((await app.inject('/healthz')).statusCode, 200);
    const bearer = await app.inject({ url: '/api/sources', headers: { authorization: `Bearer ${token}` } });
    assert.equal(bearer.statusCode, 200);
    assert.deepEqual(bearer.json(), { sources: ['api', 'www'] });
    assert.equal((await app.inject('/?token=wrong')).statusCode, 401);
    const login = await app.inject(`/?token=${token}`);
    assert.equal(login.statusCode, 303);
    assert.equal(login.headers.location, '/');
    const cookie = String(login.headers['set-cookie']);
    assert.match(cookie, new RegExp(`^${TOKEN_COOKIE}=`));
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const withCookie = await app.inject({ url: '/', headers: { cookie: cookie.split(';')[0] as string } });
    assert.equal(withCookie.statusCode, 200);
  });

  test('/api/events streams the history, then each new sample', async () => {
    const { app, pipeline } = build();
    await pipeline.sampleNow();
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const controller = new AbortController();
    const response = await fetch(`${address}/api/events`, { signal: controller.signal });
    assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const readUntil = async (pattern: RegExp): Promise<void> => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${String(pattern)}: ${text}`);
        text += Buffer.from(value).toString('utf8');
      }
    };
    await readUntil(/event: history\ndata: \[.*\]\n\n/);
    await pipeline.sampleNow();
    await readUntil(/event: sample\ndata: \{.*"ready":7.*\}\n\n/);
    controller.abort();
    await reader.cancel().catch(() => undefined);
  });

  test('closing the app ends open event streams instead of waiting for the page to go', async () => {
    const { app, pipeline } = build();
    await pipeline.sampleNow();
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${address}/api/events`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const closed = app.close().then(() => 'closed');
    const waited = new Promise((resolve) => setTimeout(() => resolve('still open after 3 s'), 3000));
    assert.equal(await Promise.race([closed, waited]), 'closed');
    let done = false;
    while (!done) ({ done } = await reader.read());
  });
});
