import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BadQueryError,
  bucketSecondsFor,
  cursorOf,
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

  test('buckets: about 60 to 200 per range', () => {
    for (const hours of [0.25, 1, 6, 24, 24 * 7, 24 * 30]) {
      const rangeMs = hours * 3_600_000;
      const buckets = rangeMs / 1000 / bucketSecondsFor(rangeMs);
      assert.ok(buckets >= 45 && buckets <= 200, `${hours} h: ${buckets} buckets`);
    }
  });
});
