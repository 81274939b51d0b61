/** Rows made to fit their columns, as the schema declares them: nothing the table cannot hold reaches SQL. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cleanLog, cleanRowOf, rawRowOf } from '../../../src/store/index.js';
import type { CleanRow } from '../../../src/store/index.js';
import { rowFitterOf } from '../../../src/store/column-fit.js';
import { PoisonMessageError } from '../../../src/errors.js';
import type { EnrichedHit } from '../../../src/domain/index.js';

const ID = Buffer.alloc(16, 1);
const TS = new Date('2026-11-01T05:00:15.123Z');

const hit = (overrides: Partial<EnrichedHit> = {}): EnrichedHit =>
  ({
    format: 'combined',
    ts: TS,
    time: { epochMs: TS.getTime(), offsetMinutes: 60 },
    ip: '203.0.113.9',
    forwardedFor: null,
    country: null,
    countryCode: null,
    city: null,
    session: null,
    user: null,
    isEmail: false,
    emailDomain: null,
    method: 'GET',
    target: '/',
    scheme: null,
    host: null,
    port: null,
    path: '/',
    query: null,
    httpVersion: 'HTTP/1.1',
    status: 200,
    statusText: 'OK',
    bytes: 512,
    referrer: null,
    referrerHost: null,
    userAgent: null,
    browser: null,
    browserVersion: null,
    os: null,
    device: null,
    isBot: null,
    geoDb: null,
    requestTimeMs: 4.5,
    extra: null,
    damage: null,
    ...overrides,
  }) as EnrichedHit;

test('a value that fits is stored as it is, with no damage', () => {
  const result = cleanRowOf(ID, 'web', hit());
  assert.ok(result.ok);
  assert.equal(result.row.requestTimeMs, 4.5);
  assert.equal(result.row.damage, null);
});

test('a duration no DOUBLE column can hold is dropped and named in damage', () => {
  for (const requestTimeMs of [Infinity, -Infinity, Number.NaN]) {
    const result = cleanRowOf(ID, 'web', hit({ requestTimeMs }));
    assert.ok(result.ok);
    assert.equal(result.row.requestTimeMs, null);
    assert.equal(result.row.damage, 'dropped:request_time_ms');
    assert.equal(result.row.status, 200, 'the rest of the row is kept');
  }
});

test("the parser's damage is stored, before the store's own drops", () => {
  const cut = cleanRowOf(ID, 'web', hit({ damage: 'unterminated:user_agent' }));
  assert.ok(cut.ok);
  assert.equal(cut.row.damage, 'unterminated:user_agent');
  const both = cleanRowOf(ID, 'web', hit({ damage: 'unterminated:user_agent', requestTimeMs: Infinity }));
  assert.ok(both.ok);
  assert.equal(both.row.damage, 'unterminated:user_agent,dropped:request_time_ms');
});

test('a required value out of its column range refuses the row with a reason naming the column', () => {
  const cases: Array<[Partial<EnrichedHit>, RegExp]> = [
    [{ status: 70_000 }, /^status "70000" does not fit its smallint unsigned column$/],
    [{ bytes: 2 ** 64 }, /^bytes .* does not fit its bigint unsigned column$/],
    [{ ts: new Date(Date.UTC(10_000, 0, 1)) }, /^ts .* does not fit its datetime\(3\) column$/],
    [{ ts: new Date(Number.NaN) }, /^ts "NaN" does not fit/],
  ];
  for (const [overrides, reason] of cases) {
    const result = cleanRowOf(ID, 'web', hit(overrides));
    assert.ok(!result.ok, JSON.stringify(overrides));
    assert.match(result.reason, reason);
    assert.equal(result.code, 'out_of_range'); // the line's metric label, whatever the text says
  }
});

test('texts are clipped to their column, never refused, and never split a surrogate pair', () => {
  const result = cleanRowOf(ID, 'web', hit({ user: `${'u'.repeat(254)}😀tail`, method: 'M'.repeat(100) }));
  assert.ok(result.ok);
  assert.equal(result.row.user, 'u'.repeat(254), 'the pair that would be cut is left out whole');
  assert.equal(result.row.method?.length, 32);
  assert.equal(result.row.damage, null, 'clipping is not a drop');
});

test('any number in any numeric field: the row fits, or it is refused with a reason; nothing else', () => {
  const anyNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(2 ** 53, -1, 65_536, 1e308 * 10));
  fc.assert(
    fc.property(anyNumber, anyNumber, anyNumber, anyNumber, (status, bytes, requestTimeMs, offset) => {
      const result = cleanRowOf(
        ID,
        'web',
        hit({
          status,
          bytes,
          requestTimeMs,
          time: { epochMs: TS.getTime(), offsetMinutes: offset },
        }),
      );
      if (!result.ok) return typeof result.reason === 'string' && result.reason.length > 0;
      const row = result.row;
      return (
        Number.isInteger(row.status) &&
        row.status >= 0 &&
        row.status <= 65_535 &&
        Number.isSafeInteger(row.bytes) &&
        row.bytes >= 0 &&
        (row.requestTimeMs === null || Number.isFinite(row.requestTimeMs)) &&
        Number.isInteger(row.utcOffsetMin) &&
        Math.abs(row.utcOffsetMin) <= 32_767
      );
    }),
  );
});

test('a raw row keeps a line time out of range as NULL, and refuses a receive time out of range', () => {
  const far = new Date(Date.UTC(12_000, 0, 1));
  assert.equal(rawRowOf(ID, 'web', TS, Buffer.from('x'), false, far).ts, null);
  assert.throws(
    () => rawRowOf(ID, 'web', new Date(Number.NaN), Buffer.from('x'), false, null),
    PoisonMessageError,
  );
});

test("cleanRowOf's rows pass the schema's own check of every column unchanged: no column is left unchecked", () => {
  const fitAll = rowFitterOf<CleanRow>(cleanLog);
  const text = fc.string({ unit: 'binary', maxLength: 300 });
  const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });
  fc.assert(
    fc.property(
      fc.record({
        ip: maybe(text),
        user: maybe(text),
        method: maybe(text),
        host: maybe(text),
        device: maybe(text),
        countryCode: maybe(text),
        statusText: maybe(text),
        target: maybe(fc.string({ maxLength: 20_000 })),
        requestTimeMs: maybe(fc.double()),
        port: maybe(fc.integer({ min: -100_000, max: 100_000 })),
      }),
      fc.string({ maxLength: 400 }),
      (fields, source) => {
        const result = cleanRowOf(ID, source, hit(fields));
        if (!result.ok) return true;
        const again = fitAll(result.row);
        return again.ok && again.row === result.row && again.dropped.length === 0;
      },
    ),
  );
});
