import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BadQueryError,
  bucketSecondsFor,
  cursorOf,
  defaultRangeFor,
  rangeQueryOf,
  searchQueryOf,
  topQueryOf,
} from '../../../src/dashboard/query-params.js';

describe('query parameters', () => {
  test('a range defaults to the last 24 hours; from and to go together and in order', () => {
    assert.deepEqual(rangeQueryOf({}), { range: '24h' });
    assert.deepEqual(rangeQueryOf({ from: '1000', to: '2000', source: 'www' }), {
      range: '24h',
      from: 1000,
      to: 2000,
      source: 'www',
    });
    assert.throws(() => rangeQueryOf({ from: '1000' }), BadQueryError);
    assert.throws(() => rangeQueryOf({ from: '2000', to: '1000' }), /from must be before to/);
    assert.throws(() => rangeQueryOf({ range: '1y' }), /range/);
    assert.throws(() => rangeQueryOf({ source: 'x'.repeat(300) }), /source/);
  });

  test('top: a known dimension and a bounded limit', () => {
    assert.deepEqual(topQueryOf({ dimension: 'notFound' }, { limit: '5' }), {
      dimension: 'notFound',
      limit: 5,
    });
    assert.throws(() => topQueryOf({ dimension: 'password' }, {}), /dimension/);
    assert.throws(() => topQueryOf({ dimension: 'path' }, { limit: '100000' }), /limit/);
  });

  test('search: status or status class, trimmed texts, and a cursor that round-trips', () => {
    const cursor = cursorOf({ ts: new Date(1_700_000_000_123), eventId: Buffer.alloc(16, 0xab) });
    assert.equal(cursor, `1700000000123-${'ab'.repeat(16)}`);
    const query = searchQueryOf({ status: '4xx', path: ' /api ', ip: '10.0.0.1', cursor });
    assert.deepEqual(query.criteria, { status: '4xx', pathPrefix: '/api', ip: '10.0.0.1', user: undefined });
    assert.equal(query.limit, 50);
    assert.equal(query.after?.ts.getTime(), 1_700_000_000_123);
    assert.deepEqual(query.after?.eventId, Buffer.alloc(16, 0xab));
    assert.throws(() => searchQueryOf({ status: "404' OR 1=1 --" }), /status/);
    assert.throws(() => searchQueryOf({ status: '600' }), /status/);
    assert.throws(() => searchQueryOf({ cursor: 'abc' }), /cursor/);
    assert.equal(cursorOf(null), null);
  });

  test('buckets: whole minutes, about 60 to 200 per range from two hours to a week, then days', () => {
    for (const hours of [1 / 60, 4 / 60, 0.25, 1]) {
      assert.equal(bucketSecondsFor(hours * 3_600_000), 60, `${hours} h: the rollups' finest bucket`);
    }
    for (const hours of [2, 6, 24, 24 * 7]) {
      const rangeMs = hours * 3_600_000;
      const buckets = rangeMs / 1000 / bucketSecondsFor(rangeMs);
      assert.ok(buckets >= 45 && buckets <= 200, `${hours} h: ${buckets} buckets`);
    }
    // Past a week, whole days (rollup_day), and weeks once days would be more than 120.
    for (const days of [7.5, 10, 30, 120])
      assert.equal(bucketSecondsFor(days * 86_400_000), 86_400, `${days} d`);
    assert.equal(bucketSecondsFor(400 * 86_400_000), 7 * 86_400, '400 d');
  });

  test('the range a page opens on: the smallest preset holding all the data, else all', () => {
    const now = Date.UTC(2026, 11, 4, 12);
    const minutes = (n: number) => ({ firstMs: now - n * 60_000, lastMs: now - 1000 });
    for (const [span, range] of [
      [null, 'all'],
      [minutes(1), 'all'],
      [minutes(4.9), 'all'],
      [minutes(5), '15m'],
      [minutes(14), '15m'],
      [minutes(16), '1h'],
      [minutes(59), '1h'],
      [minutes(61), '6h'],
      [minutes(6 * 60 + 1), '24h'],
      [minutes(25 * 60), '7d'],
      [minutes(8 * 24 * 60), '30d'],
      [minutes(31 * 24 * 60), 'all'],
      [{ firstMs: now - 60 * 60_000, lastMs: now + 60_000 }, 'all'],
    ] as const) {
      assert.equal(defaultRangeFor(span, now), range, JSON.stringify(span));
    }
  });
});
