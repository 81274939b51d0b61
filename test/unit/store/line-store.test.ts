/**
 * The consumers' port over in-memory tables: a message's rows are made only when its transaction
 * forms, a clean row the database refuses alone is stored as a rejected one and counted as refused,
 * and `stored()` is what was written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { openLineStore } from '../../../src/store/index.js';
import type { CleanOrRejectedRow, CleanRow, RawRow, RowWriters } from '../../../src/store/index.js';
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

const cleanEntry = (id: number, status: number): CleanOrRejectedRow => ({
  table: 'clean_log',
  row: { eventId: Buffer.alloc(16, id), source: 'web', status, ts: new Date(0) } as CleanRow,
  line: Buffer.from(`line ${id}`),
  receivedAt: new Date(0),
});

test('rows are made when the transaction forms, and stored() counts what was written', async () => {
  const { writers, raw } = fakeWriters();
  const store = openLineStore(writers, options);
  let made = 0;
  const rows = [{ eventId: Buffer.alloc(16, 1) } as RawRow, { eventId: Buffer.alloc(16, 2) } as RawRow];
  const stored = store.storeRawLater(2, 100, () => {
    made++;
    return rows;
  });
  assert.equal(made, 0, 'not made on delivery');
  await stored;
  assert.equal(made, 1);
  assert.deepEqual(raw, rows);
  assert.deepEqual(store.stored().raw, { inserted: 2, duplicates: 0, transactions: 1 });
  assert.deepEqual(store.stored().cleanOrRejected, { inserted: 0, duplicates: 0, transactions: 0 });
  assert.equal(store.problem, undefined);
});

test('a clean row the database refuses alone is stored as rejected, with its reason, and counted', async () => {
  const { writers, lines } = fakeWriters();
  const store = openLineStore(writers, options);
  const result = await store.storeLinesLater(3, 300, () => [
    cleanEntry(1, 200),
    cleanEntry(2, REFUSED_STATUS),
    cleanEntry(3, 404),
  ]);
  assert.deepEqual(result, { refused: 1 });
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
