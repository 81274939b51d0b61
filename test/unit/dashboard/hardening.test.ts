/**
 * The dashboard against hostile or careless clients, through fastify's inject(): a malformed token
 * cookie is a wrong token (401, not 500), and no response lets a browser sniff its content type.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createMetrics } from '../../../src/telemetry/index.js';
import {
  buildDashboardApp,
  buildHealthApp,
  createPipelineSampler,
  TOKEN_COOKIE,
} from '../../../src/dashboard/index.js';
import type { StatsReader } from '../../../src/store/index.js';

const TOKEN = 'a-long-enough-secret-token';

/** A store that answers nothing interesting: these tests are about the answers' envelope. */
function emptyStats(): StatsReader {
  return {
    sources: () => Promise.resolve([]),
    bounds: () => Promise.resolve({ firstMs: null, lastMs: null }),
    series: () => Promise.resolve([]),
    summary: () =>
      Promise.resolve({
        requests: 0,
        visitors: 0,
        bytes: 0,
        bots: 0,
        humans: 0,
        unknownAgent: 0,
        firstMs: null,
        lastMs: null,
      }),
    top: () => Promise.resolve({ dimension: 'path', available: true, entries: [] }),
    hours: () => Promise.resolve([]),
    search: () => Promise.resolve({ rows: [], next: null }),
  } as unknown as StatsReader;
}

function build(token?: string) {
  const metrics = createMetrics();
  const pipeline = createPipelineSampler({
    read: () => Promise.resolve({ queues: [], rows: { raw: 0, clean: 0, rejected: 0 } }),
    intervalMs: 1000,
    keep: 10,
    workQueues: ['data-lake', 'data-clean'],
    start: false,
  });
  const app = buildDashboardApp({
    stats: emptyStats(),
    pipeline,
    registry: metrics.registry,
    readiness: () => Promise.resolve({ broker: { ok: true }, database: { ok: true } }),
    token,
  });
  after(() => app.close());
  return app;
}

describe('dashboard hardening', () => {
  test('a token cookie with a bad percent-encoding is a wrong token: 401, not 500', async () => {
    const app = build(TOKEN);
    for (const cookie of [`${TOKEN_COOKIE}=%`, `${TOKEN_COOKIE}=%E0%A4%A`, `other=1; ${TOKEN_COOKIE}=%zz`]) {
      for (const url of ['/', '/api/sources']) {
        const response = await app.inject({ url, headers: { cookie } });
        assert.equal(response.statusCode, 401, `${url} with cookie ${cookie}: ${response.body}`);
        assert.equal(response.headers['www-authenticate'], 'Bearer realm="lograbbit"');
      }
    }
    // A good token is still found after a malformed cookie of another name.
    const good = await app.inject({
      url: '/api/sources',
      headers: { cookie: `other=%; ${TOKEN_COOKIE}=${encodeURIComponent(TOKEN)}` },
    });
    assert.equal(good.statusCode, 200, good.body);
  });

  test('every response says X-Content-Type-Options: nosniff, errors and refusals included', async () => {
    const open = build();
    const guarded = build(TOKEN);
    const health = buildHealthApp({
      registry: createMetrics().registry,
      readiness: () => Promise.resolve({ broker: { ok: true }, database: { ok: true } }),
    });
    after(() => health.close());
    const cases: Array<[string, Awaited<ReturnType<typeof open.inject>>]> = [
      ['the page', await open.inject('/')],
      ['a JSON API answer', await open.inject('/api/sources')],
      ['a bad query', await open.inject('/api/top?dimension=nope')],
      ['an unknown path', await open.inject('/nowhere')],
      ['/healthz', await open.inject('/healthz')],
      ['/metrics', await open.inject('/metrics')],
      ['a refusal without the token', await guarded.inject('/api/sources')],
      ['the login redirect', await guarded.inject(`/?token=${TOKEN}`)],
      ['the metrics port', await health.inject('/metrics')],
    ];
    for (const [what, response] of cases) {
      assert.equal(response.headers['x-content-type-options'], 'nosniff', `${what} (${response.statusCode})`);
    }
  });

  test('the live feed, a hijacked reply that skips the hooks, says nosniff too', async () => {
    const app = build();
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const controller = new AbortController();
    const response = await fetch(`${address}/api/events`, { signal: controller.signal });
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    controller.abort();
    await response.body?.cancel().catch(() => undefined);
  });
});
