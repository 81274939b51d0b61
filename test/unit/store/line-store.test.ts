/**
 * The consumers' port over in-memory tables: a message's lines are made only when its transaction
 * forms and turned into rows there; a clean line whose row the table cannot hold, or the database
 * refuses alone, is stored as a rejected one and its code returned; `stored()` is what was written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { CleanLine, RawLine } from '../../../src/domain/index.js';
import { enrich } from '../../../src/enrich/index.js';
import { createDetectMemo, parseLine } from '../../../src/formats/index.js';
import { openLineStore } from '../../../src/store/index.js';
import type { CleanOrRejectedRow, RawRow, RowWriters } from '../../../src/store/index.js';
import { batchesOf } from '../../helpers/row-writes.js';

const log = pino({ level: 'silent' });
/** The status a fake table refuses, as MariaDB refuses a value it cannot hold. */
const REFUSED_STATUS = 999;

/** Row writers whose tables are arrays; a batch holding a clean row with REFUSED_STATUS is refused. */
function fakeWriters() {
  const raw: RawRow[] = [];
  const lines: CleanOrRejectedRow[] = [];
  const writers: RowWriters = {
    method: 'insert',
    fitLine: (line) => line,
    checkTables: () => Promise.resolve(null),
    ready: Promise.resolve(),
    beginRaw: batchesOf<RawRow>((rows) => {
      raw.push(...rows);
      return Promise.resolve(rows.length);
    }),
    beginCleanOrRejected: batchesOf<CleanOrRejectedRow>((rows) => {
      if (rows.some((entry) => entry.table === 'clean_log' && entry.row.status === REFUSED_STATUS)) {
        return Promise.reject(
          Object.assign(new Error('Column status cannot be null'), { code: 'ER_BAD_NULL_ERROR' }),
        );
      }
      lines.push(...rows);
      return Promise.resolve(rows.length);
    }),
  };
  return { writers, raw, lines };
}

const options = { maxRows: 100, maxBytes: 1 << 20, flushIntervalMs: 1, concurrency: 1, log };

const GOOD =
  '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "-" "Mozilla/4.08"';
const parsed = parseLine(GOOD, 'combined', createDetectMemo());
assert.ok(parsed.ok);
const HIT = enrich(parsed.hit);

const cleanLine = (id: number, change: Partial<CleanLine['hit']> = {}): CleanLine => ({
  parsed: true,
  eventId: Buffer.alloc(16, id),
  source: 'web',
  receivedAt: new Date(0),
  bytes: Buffer.from(`line ${id}`),
  hit: { ...HIT, ...change },
});

test('rows are made when the transaction forms, and stored() counts what was written', async () => {
  const { writers, raw } = fakeWriters();
  const store = openLineStore(writers, options);
  let made = 0;
  const lines: RawLine[] = [1, 2].map((id) => ({
    eventId: Buffer.alloc(16, id),
    source: 'web',
    receivedAt: new Date(0),
    bytes: Buffer.from(`line ${id}`),
    truncated: id === 2,
    ts: id === 1 ? HIT.ts : null,
  }));
  const stored = store.storeRawLater(2, 100, () => {
    made++;
    return lines;
  });
  assert.equal(made, 0, 'not made on delivery');
  await stored;
  assert.equal(made, 1);
  assert.deepEqual(
    raw.map((row) => [row.eventId, row.line.toString(), row.truncated, row.ts, row.day]),
    [
      [Buffer.alloc(16, 1), 'line 1', false, HIT.ts, '2000-10-10'],
      [Buffer.alloc(16, 2), 'line 2', true, null, '1000-01-01'],
    ],
  );
  assert.deepEqual(store.stored().raw, { inserted: 2, duplicates: 0, transactions: 1 });
  assert.deepEqual(store.stored().cleanOrRejected, { inserted: 0, duplicates: 0, transactions: 0 });
  assert.equal(store.problem, undefined);
});

test('a clean row the database refuses alone is stored as rejected, with its reason, and counted', async () => {
  const { writers, lines } = fakeWriters();
  const store = openLineStore(writers, options);
  const result = await store.storeLinesLater(3, 300, () => [
    cleanLine(1),
    cleanLine(2, { status: REFUSED_STATUS }),
    cleanLine(3, { status: 404 }),
  ]);
  assert.deepEqual(result, { rejectedInstead: ['refused_by_database'] });
  assert.deepEqual(
    lines.map((entry) => entry.table),
    ['clean_log', 'rejected_log', 'clean_log'],
  );
  const instead = lines[1]!;
  assert.equal(instead.table, 'rejected_log');
  if (instead.table !== 'rejected_log') return;
  assert.deepEqual(instead.row.eventId, Buffer.alloc(16, 2));
  assert.match(instead.row.reason, /^refused by the database: .*cannot be null/);
  assert.ok(instead.row.line.equals(Buffer.from('line 2')));
});

test('a clean line whose row the table cannot hold is stored as rejected, with why, on its own day', async () => {
  const { writers, lines } = fakeWriters();
  const store = openLineStore(writers, options);
  const beforeDates = new Date(Date.UTC(500, 0, 1));
  const result = await store.storeLinesLater(3, 300, () => [
    cleanLine(1),
    cleanLine(2, { ts: beforeDates }),
    {
      parsed: false,
      eventId: Buffer.alloc(16, 3),
      source: 'web',
      receivedAt: new Date(0),
      bytes: Buffer.from('junk'),
      reason: 'no format matched',
      code: 'no_format',
      ts: null,
    },
  ]);
  assert.deepEqual(result, { rejectedInstead: ['out_of_range'] });
  assert.deepEqual(
    lines.map((entry) => entry.table),
    ['clean_log', 'rejected_log', 'rejected_log'],
  );
  const [clean, unfit, junk] = lines;
  assert.ok(
    clean?.table === 'clean_log' && unfit?.table === 'rejected_log' && junk?.table === 'rejected_log',
  );
  assert.equal(clean.row.path, '/apache_pb.gif');
  assert.match(unfit.row.reason, /ts/);
  assert.equal(unfit.row.day, '1000-01-01', 'a time a DATE cannot hold is untimed');
  assert.ok(unfit.row.line.equals(Buffer.from('line 2')));
  assert.equal(junk.row.reason, 'no format matched');
  assert.ok(junk.row.line.equals(Buffer.from('junk')));
});
