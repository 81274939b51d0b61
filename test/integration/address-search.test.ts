/**
 * The search by client address walks clean_log's hours newest first along (ts_hour, ip, ts,
 * event_id) (migration 0009). Checked here against a plain SQL query over the same rows: every page
 * and cursor, over several hours and days (day partitions), for frequent, rare and absent addresses,
 * with ranges that cut hours and reach far past the data; and, across the migration, that the rows a
 * database at 0008 held get their hour in the index.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { RowDataPacket } from 'mysql2/promise';
import { createRowWriters, openStore, optionalColumnsOf, searchRequests } from '../../src/store/index.js';
import type { CleanRow, RequestCursor, RequestSearch, Store } from '../../src/store/index.js';
import { tsHourOf } from '../../src/store/request-search.js';
import { databaseAtMigration } from '../helpers/migrations.js';
import { createTestServices, endpointOf } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { writeCleanOrRejected } from '../helpers/row-writes.js';

const HOUR = 3_600_000;
/** The hour the rows start: four days before this one, so that they span five day partitions. */
const START = Math.floor(Date.now() / HOUR) * HOUR - 96 * HOUR;

interface Line {
  readonly id: Buffer;
  readonly ms: number;
  readonly ip: string;
  readonly source: string;
  readonly status: number;
}

/** Deterministic lines: 'frequent' in most hours, 'rare' three times, others as noise. */
function linesOf(): Line[] {
  let seed = 2026;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const lines: Line[] = [];
  let n = 0;
  const add = (ms: number, ip: string, source = random() < 0.7 ? 'www' : 'api'): void => {
    const id = Buffer.alloc(16);
    id.writeUInt32BE(Math.floor(random() * 2 ** 32), 0);
    id.writeUInt32BE(++n, 12);
    lines.push({ id, ms, ip, source, status: random() < 0.2 ? 404 : 200 });
  };
  for (let i = 0; i < 900; i++) {
    const ms = START + Math.floor(random() * 90 * HOUR);
    add(ms, random() < 0.4 ? 'frequent' : `10.0.${Math.floor(random() * 20)}.1`);
  }
  // The edges of an hour, and two lines at the same instant.
  const edge = START + 60 * HOUR;
  add(edge - 1, 'frequent', 'www');
  add(edge, 'frequent', 'www');
  add(edge, 'frequent', 'www');
  add(edge + HOUR - 1, 'frequent', 'api');
  // The rare address: in the first hour, past the gap, and in the last hours, at an hour's edge.
  add(START + 1, 'rare', 'www');
  add(START + 50 * HOUR + 30 * 60_000, 'rare', 'api');
  add(START + 89 * HOUR, 'rare', 'www');
  // A gap of six hours with no lines at all.
  return lines.filter((line) => line.ms < START + 40 * HOUR || line.ms >= START + 46 * HOUR);
}

const LINES = linesOf();

function rowOf(line: Line): CleanRow {
  return {
    eventId: line.id,
    source: line.source,
    format: 'combined',
    ts: new Date(line.ms),
    utcOffsetMin: 0,
    ip: line.ip,
    isEmail: false,
    method: 'GET',
    path: '/',
    status: line.status,
    bytes: 1,
  };
}

let services: TestServices;
let store: Store;
let columns: ReadonlySet<string>;

before(async () => {
  services = await createTestServices('address_search', { vhost: false });
  store = await openStore(endpointOf(services), { timeoutMs: 5000, setup: true });
  const writers = createRowWriters(store.db, store.writeMethod);
  const stored = await writeCleanOrRejected(
    writers,
    LINES.map((line) => ({
      table: 'clean_log' as const,
      row: rowOf(line),
      line: Buffer.from('a line'),
      receivedAt: new Date(),
    })),
  );
  assert.equal(stored, LINES.length);
  columns = await optionalColumnsOf(store.db);
});

after(async () => {
  await store?.close();
  await services?.teardown();
});

/** The event ids (hex) the plain query finds: the range at once, without the hour index. */
async function expected(search: RequestSearch): Promise<string[]> {
  const sql = await services.sql();
  const conditions = ['ts >= ?', 'ts < ?', 'ip = ?'];
  const values: unknown[] = [search.from, search.to, search.ip];
  if (search.source !== undefined) {
    conditions.push('source = ?');
    values.push(search.source);
  }
  if (search.status !== undefined) {
    conditions.push('status = ?');
    values.push(Number(search.status));
  }
  const [rows] = await sql.query<RowDataPacket[]>(
    `SELECT LOWER(HEX(event_id)) AS id FROM clean_log IGNORE INDEX (clean_log_hour_ip_ts)
      WHERE ${conditions.join(' AND ')} ORDER BY ts DESC, event_id DESC`,
    values,
  );
  return rows.map((row) => String(row.id));
}

/** Every page of the search, in order: the rows of each page (event ids) and the cursors between. */
async function pagesOf(
  search: RequestSearch,
  limit: number,
): Promise<{ ids: string[][]; cursors: RequestCursor[] }> {
  const ids: string[][] = [];
  const cursors: RequestCursor[] = [];
  let cursor: RequestCursor | undefined;
  for (;;) {
    const page = await searchRequests(store.db, search, limit, columns, cursor);
    ids.push(page.rows.map((row) => row.eventId));
    assert.ok(ids.length <= LINES.length + 1, 'the paging ends');
    if (page.next === null) return { ids, cursors };
    assert.equal(page.rows.length, limit, 'only the last page is short');
    cursors.push(page.next);
    cursor = page.next;
  }
}

async function assertSameAsPlain(search: RequestSearch, limit: number): Promise<void> {
  const want = await expected(search);
  const { ids } = await pagesOf(search, limit);
  const label = `${search.ip} ${search.from.toISOString()}..${search.to.toISOString()} by ${limit}`;
  assert.deepEqual(ids.flat(), want, label);
  assert.equal(ids.length, Math.max(1, Math.ceil(want.length / limit)), `${label}: pages`);
}

const ALL = { from: new Date(START), to: new Date(START + 96 * HOUR) };

describe('search by client address, hour by hour', () => {
  test('the database has ts_hour, and the index reads each hour newest first without a sort', async () => {
    assert.ok(columns.has('ts_hour'));
    const sql = await services.sql();
    const hour = tsHourOf(START + 60 * HOUR);
    const [plan] = await sql.query<RowDataPacket[]>(
      `EXPLAIN SELECT event_id FROM clean_log FORCE INDEX (clean_log_hour_ip_ts)
        WHERE ts_hour = ? AND ip = 'frequent' AND ts >= ? AND ts < ?
        ORDER BY ts DESC, event_id DESC LIMIT 5`,
      [hour, new Date(START + 60 * HOUR), new Date(START + 61 * HOUR)],
    );
    assert.equal(plan[0]?.key, 'clean_log_hour_ip_ts');
    assert.doesNotMatch(String(plan[0]?.Extra), /filesort/);
  });

  test('the same rows and pages as the plain query, for frequent, rare and absent addresses', async () => {
    for (const ip of ['frequent', 'rare', '10.0.3.1', 'nobody']) {
      for (const limit of [1, 3, 50, 1000]) {
        await assertSameAsPlain({ ...ALL, ip }, limit);
      }
    }
    assert.deepEqual(await expected({ ...ALL, ip: 'nobody' }), []);
    assert.equal((await expected({ ...ALL, ip: 'rare' })).length, 3);
  });

  test('ranges that cut hours, reach far past the data, or hold no line of the address', async () => {
    // After the rare address's first line and before its second.
    const betweenRare = { from: new Date(START + HOUR), to: new Date(START + 50 * HOUR) };
    const ranges = [
      { from: new Date(START + 20 * HOUR + 17 * 60_000), to: new Date(START + 70 * HOUR + 41 * 60_000) },
      { from: new Date(Date.UTC(2000, 0, 1)), to: new Date(Date.UTC(2100, 0, 1)) },
      // Within the gap: no line at all.
      { from: new Date(START + 41 * HOUR), to: new Date(START + 45 * HOUR) },
      betweenRare,
    ];
    for (const range of ranges) {
      for (const ip of ['frequent', 'rare']) await assertSameAsPlain({ ...range, ip }, 7);
    }
    assert.deepEqual(await expected({ ...betweenRare, ip: 'rare' }), []);
    assert.deepEqual((await searchRequests(store.db, { ...betweenRare, ip: 'rare' }, 10, columns)).rows, []);
  });

  test('with a source and a status as well', async () => {
    for (const criteria of [{ source: 'api' }, { status: '404' }, { source: 'www', status: '200' }]) {
      await assertSameAsPlain({ ...ALL, ip: 'frequent', ...criteria }, 4);
    }
  });

  test('a cursor at the edge of an hour: the next page starts in the hour before', async () => {
    const edge = START + 60 * HOUR;
    // From the newest of the edge hour: 59:59.999 of its hour, the two lines at its start, then the
    // last line of the hour before.
    const range = { from: new Date(edge - HOUR), to: new Date(edge + HOUR), ip: 'frequent', source: 'www' };
    const want = await expected(range);
    const { ids, cursors } = await pagesOf(range, 1);
    assert.deepEqual(ids.flat(), want);
    const crossing = cursors.findIndex((cursor, at) => {
      const next = cursors[at + 1];
      return cursor.ts.getTime() === edge && next !== undefined && next.ts.getTime() === edge - 1;
    });
    assert.ok(crossing >= 0, 'two pages meet at the hour boundary');
    const sameInstant = cursors.filter((cursor) => cursor.ts.getTime() === edge);
    assert.equal(sameInstant.length, 2, 'two lines of the same instant, one a page');
  });

  test('any range and page size: the same as the plain query', async () => {
    const span = 96 * HOUR;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -HOUR, max: span }),
        fc.integer({ min: 1, max: span }),
        fc.constantFrom('frequent', 'rare', '10.0.7.1', 'nobody'),
        fc.integer({ min: 1, max: 120 }),
        async (offset, length, ip, limit) => {
          const from = new Date(START + offset);
          await assertSameAsPlain({ from, to: new Date(from.getTime() + length), ip }, limit);
        },
      ),
      { numRuns: 25 },
    );
  });

  test('ts_hour is the UTC hour counted from year 0, in any session time zone', async () => {
    const sql = await services.sql();
    await sql.query("SET time_zone = '+05:30'");
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
          async (ms) => {
            const text = new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
            const [[row]] = await sql.query<RowDataPacket[]>(
              'SELECT TO_SECONDS(CAST(? AS DATETIME(3))) DIV 3600 AS hour',
              [text],
            );
            assert.equal(Number(row?.hour), tsHourOf(ms), text);
          },
        ),
        { numRuns: 200 },
      );
    } finally {
      await sql.query("SET time_zone = '+00:00'");
    }
  });

  test('migration 0009 gives the rows already stored their hour in the index', async () => {
    const old = await databaseAtMigration(services, '0008');
    try {
      const sample = LINES.slice(0, 200);
      for (const line of sample) {
        await old.sql.query(
          `INSERT INTO clean_log (event_id, source, format, ts, utc_offset_min, ip, is_email, status, bytes)
           VALUES (?, ?, 'combined', ?, 0, ?, 0, ?, 1)`,
          [line.id, line.source, new Date(line.ms), line.ip, line.status],
        );
      }
      const migrated = await openStore(endpointOf(services, old.database), { timeoutMs: 5000, setup: true });
      await migrated.close();
      // Read from the index alone (it covers the query), in another session time zone.
      await old.sql.query("SET time_zone = '-07:00'");
      const [rows] = await old.sql.query<RowDataPacket[]>(
        `SELECT LOWER(HEX(event_id)) AS id, ts_hour, TO_SECONDS(ts) DIV 3600 AS computed
           FROM clean_log FORCE INDEX (clean_log_hour_ip_ts) WHERE ts_hour > 0`,
      );
      assert.equal(rows.length, sample.length, 'every row is in the new index');
      const byId = new Map(sample.map((line) => [line.id.toString('hex'), line]));
      for (const row of rows) {
        const line = byId.get(String(row.id));
        assert.ok(line);
        assert.equal(Number(row.ts_hour), Number(row.computed));
        assert.equal(Number(row.ts_hour), tsHourOf(line.ms));
      }
      const [indexes] = await old.sql.query<RowDataPacket[]>(
        `SELECT DISTINCT index_name AS name FROM information_schema.statistics
          WHERE table_schema = ? AND table_name = 'clean_log' ORDER BY name`,
        [old.database],
      );
      assert.deepEqual(
        indexes.map((row) => String(row.name)),
        ['clean_log_hour_ip_ts', 'clean_log_source_traffic', 'clean_log_ts_traffic', 'PRIMARY'],
      );
    } finally {
      await old.drop();
    }
  });
});
