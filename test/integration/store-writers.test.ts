/**
 * The row writers against the real MariaDB: one suite that both write methods (LOAD DATA and the
 * multi-row INSERT) must pass. Each stores hostile values exactly, counts new rows, adds nothing on a
 * second write of the same rows, and refuses, whole, a batch holding a value the table cannot keep.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { createTestServices, endpointOf } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { createRowWriters, openStore } from '../../src/store/index.js';
import type { CleanRow, RawRow, RejectedRow, Store, WriteMethod } from '../../src/store/index.js';
import { writeCleanOrRejected, writeRaw } from '../helpers/row-writes.js';

let services: TestServices;
const stores: Store[] = [];

before(async () => {
  services = await createTestServices('store_writers');
});

after(async () => {
  for (const store of stores) await store.close();
  await services?.teardown();
});

async function open(writeMethod: WriteMethod | 'auto'): Promise<Store> {
  const store = await openStore(endpointOf(services), { timeoutMs: 5000, setup: true, writeMethod });
  stores.push(store);
  return store;
}

/** Event ids of one method's rows: its own first byte, so the two suites never share a key. */
const idOf = (method: WriteMethod, n: number): Buffer => {
  const id = Buffer.alloc(16);
  id[0] = method === 'insert' ? 1 : 2;
  // Bytes that mean something to LOAD DATA's format (tab, newline, backslash, NUL) inside the key.
  id.writeUInt32BE(0x090a5c00 + n, 8);
  return id;
};

/** Every byte value, CR, tab, newline, backslash, NUL, and bytes that are not UTF-8. */
const HOSTILE_LINE = Buffer.concat([
  Buffer.from('1.2.3.4 - - "GET /a\\b\tc\r\nd\0e HTTP/1.1" \'); DROP TABLE raw_log; -- '),
  Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x5c, 0x4e]),
  Buffer.from(Array.from({ length: 256 }, (_, byte) => byte)),
]);
const TS = new Date(Date.UTC(2026, 10, 1, 5, 0, 15, 123));

const rawRows = (method: WriteMethod): RawRow[] => [
  {
    eventId: idOf(method, 1),
    source: 'tab\tsource',
    receivedAt: TS,
    ts: TS,
    day: '2026-11-01',
    line: HOSTILE_LINE,
    truncated: true,
  },
  {
    eventId: idOf(method, 2),
    source: 's',
    receivedAt: TS,
    ts: null,
    day: '1000-01-01',
    line: Buffer.from('\\N'),
    truncated: false,
  },
];

const cleanRow = (method: WriteMethod, n: number, overrides: Partial<CleanRow> = {}): CleanRow => ({
  eventId: idOf(method, n),
  source: 'web',
  format: 'combined',
  ts: TS,
  utcOffsetMin: -300,
  ip: '2001:db8::1',
  forwardedFor: null,
  country: 'Côte d’Ivoire',
  countryCode: 'CI',
  city: null,
  session: null,
  user: 'jane\\doe',
  isEmail: false,
  emailDomain: null,
  method: 'GET',
  url: '/search?q=a\tb\nc\\d\0e&emoji=😀',
  scheme: null,
  host: null,
  port: 443,
  path: '/search',
  query: "q=' OR 1=1 --",
  httpVersion: 'HTTP/1.1',
  status: 404,
  statusText: 'Not Found',
  bytes: 2 ** 40,
  referrer: null,
  referrerHost: null,
  userAgent: 'Mozilla/5.0 "quoted"',
  browser: null,
  browserVersion: null,
  os: null,
  device: null,
  isBot: true,
  geoDb: null,
  requestTimeMs: 2.5,
  extra: { upstream: 'a\tb', 'quote"d': '\\x22' },
  damage: null,
  ...overrides,
});

const rejectedRow = (method: WriteMethod, n: number): RejectedRow => ({
  eventId: idOf(method, n),
  source: 'web',
  receivedAt: TS,
  day: '2026-11-01',
  line: HOSTILE_LINE,
  reason: 'no format accepts the line: \t\\',
});

for (const method of ['load-data', 'insert'] as const) {
  describe(`row writers: ${method}`, () => {
    test('store hostile values exactly, count new rows, and add nothing the second time', async () => {
      const store = await open(method);
      assert.equal(store.writeMethod, method);
      const writers = createRowWriters(store.db, method);
      assert.equal(await writeRaw(writers, rawRows(method)), 2);
      assert.equal(await writeRaw(writers, rawRows(method)), 0, 'the same rows again are no new rows');
      const mixed = [
        { table: 'clean_log' as const, row: cleanRow(method, 3), line: HOSTILE_LINE, receivedAt: TS },
        { table: 'rejected_log' as const, row: rejectedRow(method, 4) },
      ];
      assert.equal(await writeCleanOrRejected(writers, mixed), 2);
      assert.equal(await writeCleanOrRejected(writers, mixed), 0);

      const sql = await services.sql();
      const [raw] = await sql.query<RowDataPacket[]>(
        'SELECT event_id, source, received_at, ts, line, truncated FROM raw_log WHERE event_id IN (?, ?) ORDER BY event_id',
        [idOf(method, 1), idOf(method, 2)],
      );
      assert.equal(raw.length, 2);
      assert.deepEqual(raw[0]?.event_id, idOf(method, 1));
      assert.equal(raw[0]?.source, 'tab\tsource');
      assert.equal(raw[0]?.received_at, '2026-11-01 05:00:15.123');
      assert.equal(raw[0]?.ts, '2026-11-01 05:00:15.123');
      assert.ok(Buffer.compare(raw[0]?.line as Buffer, HOSTILE_LINE) === 0, 'the line, byte for byte');
      assert.equal(raw[0]?.truncated, 1);
      assert.equal(raw[1]?.ts, null, 'a missing time is NULL');
      assert.equal((raw[1]?.line as Buffer).toString(), '\\N', 'a line that reads \\N is not NULL');

      const [clean] = await sql.query<RowDataPacket[]>('SELECT * FROM clean_log WHERE event_id = ?', [
        idOf(method, 3),
      ]);
      const row = clean[0] as RowDataPacket;
      assert.equal(row.ts, '2026-11-01 05:00:15.123');
      // The calendar columns and sizes are the database's own (VIRTUAL), from ts and bytes.
      assert.deepEqual(
        [row.year, row.month, row.day, row.day_of_week, row.time],
        [2026, 11, 1, 'Sunday', '05:00:15'],
      );
      assert.equal(row.country, 'Côte d’Ivoire');
      assert.equal(row.user, 'jane\\doe');
      assert.equal(row.url, '/search?q=a\tb\nc\\d\0e&emoji=😀');
      assert.equal(row.query, "q=' OR 1=1 --");
      assert.equal(row.city, null);
      assert.equal(row.is_email, 0);
      assert.equal(row.is_bot, 1);
      assert.equal(String(row.bytes), String(2 ** 40));
      assert.deepEqual([row.size_kb, row.size_mb], [2 ** 30, 2 ** 20]);
      assert.equal(row.request_time_ms, 2.5);
      assert.deepEqual(row.extra, { upstream: 'a\tb', 'quote"d': '\\x22' });

      const [rejected] = await sql.query<RowDataPacket[]>(
        'SELECT line, reason FROM rejected_log WHERE event_id = ?',
        [idOf(method, 4)],
      );
      assert.ok(Buffer.compare(rejected[0]?.line as Buffer, HOSTILE_LINE) === 0);
      assert.equal(rejected[0]?.reason, 'no format accepts the line: \t\\');
    });

    test('a value the table cannot hold refuses the whole batch, and stores none of it', async () => {
      const store = await open(method);
      const writers = createRowWriters(store.db, method);
      const batch = [
        { table: 'clean_log' as const, row: cleanRow(method, 10), line: HOSTILE_LINE, receivedAt: TS },
        // Out of the SMALLINT column's range: the server would clamp it, which is not storing it.
        {
          table: 'clean_log' as const,
          row: cleanRow(method, 11, { utcOffsetMin: 99_999 }),
          line: HOSTILE_LINE,
          receivedAt: TS,
        },
      ];
      await assert.rejects(writeCleanOrRejected(writers, batch), /out of range|utc_offset_min/i);
      const sql = await services.sql();
      const [rows] = await sql.query<RowDataPacket[]>(
        'SELECT COUNT(*) AS n FROM clean_log WHERE event_id IN (?, ?)',
        [idOf(method, 10), idOf(method, 11)],
      );
      assert.equal(Number(rows[0]?.n), 0, 'the transaction rolled back');
      assert.equal(await writeCleanOrRejected(writers, batch.slice(0, 1)), 1, 'the good row alone is stored');
    });
  });
}

test('auto picks LOAD DATA on a server with local_infile on (MariaDB by default)', async () => {
  const store = await open('auto');
  const [rows] = await store.pool.query<RowDataPacket[]>('SELECT @@local_infile AS on_');
  assert.equal(store.writeMethod, Number(rows[0]?.on_) === 1 ? 'load-data' : 'insert');
});
