/**
 * clean_log's calendar columns and sizes are VIRTUAL: MariaDB derives them from `ts` and `bytes` on
 * read (migration 0004). Checked here against what the consumer used to compute and store itself
 * (the oracle below, the code that was removed): for random instants over the whole DATETIME range
 * and random sizes, written through the hot-path writer; and across the migration, for rows a
 * database at 0003 already held, whose stored values must read the same after it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RowDataPacket } from 'mysql2/promise';
import { databaseAtMigration } from '../helpers/migrations.js';
import { createTestServices, endpointOf } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { createRowWriters, openStore } from '../../src/store/index.js';
import type { CleanRow, Store } from '../../src/store/index.js';
import { writeCleanOrRejected } from '../helpers/row-writes.js';

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** What the consumer stored before 0004, for an instant (UTC) and a size. */
function oracle(epochMs: number, bytes: number): unknown[] {
  const ts = new Date(epochMs);
  const time = `${pad(ts.getUTCHours())}:${pad(ts.getUTCMinutes())}:${pad(ts.getUTCSeconds())}`;
  return [
    ts.getUTCFullYear(),
    ts.getUTCMonth() + 1,
    ts.getUTCDate(),
    DAY_NAMES[ts.getUTCDay()],
    time,
    bytes / 1024,
    bytes / 1024 / 1024,
  ];
}

const DERIVED = 'year, month, day, day_of_week, time, size_kb, size_mb';
const valuesOf = (row: RowDataPacket): unknown[] => [
  row.year,
  row.month,
  row.day,
  row.day_of_week,
  row.time,
  row.size_kb,
  row.size_mb,
];

const FIRST_MS = Date.UTC(1000, 0, 1);
const LAST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** Instants where a calendar field turns over or a rounding would show. */
const EDGES = [
  FIRST_MS,
  LAST_MS,
  Date.UTC(2023, 0, 1, 4, 30),
  Date.UTC(2024, 1, 29, 23, 59, 59, 999),
  Date.UTC(2023, 2, 1, 0, 0, 0, 1),
  Date.UTC(1999, 11, 31, 23, 59, 59, 500),
  Date.UTC(1970, 0, 1),
  Date.UTC(1969, 11, 31, 23, 59, 59, 999),
];

let services: TestServices;
let store: Store;
let nextId = 1;
const eventId = (): Buffer => {
  const id = Buffer.alloc(16);
  id.writeUInt32BE(nextId++, 12);
  return id;
};

const cleanRow = (id: Buffer, epochMs: number, bytes: number): CleanRow => ({
  eventId: id,
  source: 'web',
  format: 'combined',
  ts: new Date(epochMs),
  utcOffsetMin: 0,
  isEmail: false,
  status: 200,
  bytes,
});

before(async () => {
  services = await createTestServices('derived_columns');
  store = await openStore(endpointOf(services), { timeoutMs: 5000, setup: true });
});

after(async () => {
  await store?.close();
  await services?.teardown();
});

void describe('clean_log derived columns', () => {
  test('read as the consumer computed them, for any instant and size', async () => {
    const writers = createRowWriters(store.db, store.writeMethod);
    const sql = await services.sql();
    const check = async (cases: ReadonlyArray<{ ms: number; bytes: number }>): Promise<void> => {
      const ids = cases.map(() => eventId());
      const rows = cases.map(({ ms, bytes }, at) => ({
        table: 'clean_log' as const,
        row: cleanRow(ids[at] as Buffer, ms, bytes),
        line: Buffer.from('a line'),
        receivedAt: new Date(ms),
      }));
      assert.equal(await writeCleanOrRejected(writers, rows), cases.length);
      // execute(), the binary protocol: the DOUBLEs arrive as they are, where mysql2's reading of
      // the text protocol is off in the last digit for some large values (903179223147.3945 → …44).
      const [read] = await sql.execute<RowDataPacket[]>(
        `SELECT event_id, ${DERIVED} FROM clean_log WHERE event_id BETWEEN ? AND ?`,
        [ids[0] as Buffer, ids.at(-1) as Buffer],
      );
      const byId = new Map(read.map((row) => [(row.event_id as Buffer).toString('hex'), row]));
      cases.forEach(({ ms, bytes }, at) => {
        const row = byId.get((ids[at] as Buffer).toString('hex'));
        assert.ok(row, `row ${at} was stored`);
        assert.deepEqual(valuesOf(row), oracle(ms, bytes), `${new Date(ms).toISOString()}, ${bytes} bytes`);
      });
    };
    await check(
      EDGES.map((ms, at) => ({ ms, bytes: [0, 1, 1023, 1024, 2 ** 40, 2 ** 53 - 1][at % 6] as number })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ ms: fc.integer({ min: FIRST_MS, max: LAST_MS }), bytes: fc.maxSafeNat() }), {
          minLength: 1,
          maxLength: 300,
        }),
        check,
      ),
      { numRuns: 20 },
    );
  });

  test('keep the values stored before migration 0004', async () => {
    // A database at 0003, where the consumer stored these columns itself.
    const { database, sql: old, drop } = await databaseAtMigration(services, '0003');
    try {
      const cases = [...EDGES, Date.UTC(2026, 10, 1, 5, 0, 15, 123)].map((ms, at) => ({
        id: eventId(),
        ms,
        bytes: [0, 30013, 2 ** 40, 7][at % 4] as number,
      }));
      for (const { id, ms, bytes } of cases) {
        await old.query(
          `INSERT INTO clean_log (event_id, source, format, ts, utc_offset_min, ${DERIVED}, is_email, status, bytes, path)
             VALUES (?, 'web', 'combined', ?, 0, ?, ?, ?, ?, ?, ?, ?, 0, 200, ?, '/kept')`,
          [id, new Date(ms), ...oracle(ms, bytes), bytes],
        );
      }
      // The product's own start: applies 0004 and whatever follows.
      const migrated = await openStore(endpointOf(services, database), { timeoutMs: 5000, setup: true });
      await migrated.close();
      const [read] = await old.execute<RowDataPacket[]>(
        `SELECT event_id, ts, path, bytes, ${DERIVED} FROM clean_log ORDER BY event_id`,
      );
      assert.equal(read.length, cases.length);
      read.forEach((row, at) => {
        const { id, ms, bytes } = cases[at] as (typeof cases)[number];
        assert.deepEqual(row.event_id, id);
        assert.equal(row.path, '/kept');
        assert.equal(Number(row.bytes), bytes);
        assert.deepEqual(valuesOf(row), oracle(ms, bytes), new Date(ms).toISOString());
      });
      const [[extra]] = await old.query<RowDataPacket[]>(
        `SELECT COUNT(*) AS n FROM information_schema.columns
           WHERE table_schema = ? AND table_name = 'clean_log' AND generation_expression IS NOT NULL
             AND column_name IN ('year', 'month', 'day', 'day_of_week', 'time', 'size_kb', 'size_mb')`,
        [database],
      );
      assert.equal(Number(extra?.n), 7, 'all seven are generated columns now');
    } finally {
      await drop();
    }
  });
});
