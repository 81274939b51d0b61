import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  UNTIMED_DAY,
  addDays,
  dayOfPartition,
  dayPartitionClause,
  daysToAdd,
  partitionDayOf,
  partitionsBefore,
} from '../../../src/store/partition-days.js';
import { isCleanRowBefore, isDayRowBefore, skipLinesBeforeHorizon } from '../../../src/store/horizon.js';
import type { CleanRow } from '../../../src/store/schema.js';

test("a line's day is the UTC day of its own time; no time, or one a DATE cannot hold, is untimed", () => {
  const cases: Array<[Date | null, string]> = [
    [new Date('2026-12-04T23:59:59.999Z'), '2026-12-04'],
    [new Date('2026-12-05T00:00:00.000Z'), '2026-12-05'],
    // 01:30 at +0200 is the day before in UTC.
    [new Date('2026-12-05T01:30:00+02:00'), '2026-12-04'],
    [null, UNTIMED_DAY],
    [new Date(Number.NaN), UNTIMED_DAY],
    [new Date(Date.UTC(999, 11, 31)), UNTIMED_DAY],
    [new Date(Date.UTC(10_000, 0, 1)), UNTIMED_DAY],
  ];
  for (const [ts, day] of cases) assert.equal(partitionDayOf(ts), day, String(ts));
});

test('a day partition is named after its day and holds the rows below the next day', () => {
  assert.equal(dayPartitionClause('2026-12-31'), "PARTITION `p20261231` VALUES LESS THAN ('2027-01-01')");
  assert.equal(dayOfPartition('p20261231'), '2026-12-31');
  assert.equal(dayOfPartition('p_future'), null);
  assert.equal(dayOfPartition('p_untimed'), null);
  assert.equal(addDays('2028-02-28', 1), '2028-02-29');
});

test('days to add: from the day after the last up to today + ahead; a new table starts a month back or at its oldest line', () => {
  assert.deepEqual(daysToAdd('2026-12-09', '2026-12-04', 7), ['2026-12-10', '2026-12-11']);
  assert.deepEqual(daysToAdd('2026-12-11', '2026-12-04', 7), []);
  assert.deepEqual(daysToAdd('2026-12-20', '2026-12-04', 7), []);
  const fresh = daysToAdd(null, '2026-12-04', 7);
  assert.equal(fresh[0], '2026-11-03');
  assert.equal(fresh.at(-1), '2026-12-11');
  assert.equal(fresh.length, 31 + 1 + 7);
  assert.equal(daysToAdd(null, '2026-12-04', 7, '2026-10-01')[0], '2026-10-01');
  // A line of 1970 does not make 20,000 partitions: at most 1,000 days back.
  assert.equal(daysToAdd(null, '2026-12-04', 7, '1970-01-01')[0], addDays('2026-12-04', -1000));
});

test('the partitions before a horizon: day partitions only, oldest first', () => {
  const partitions = [
    { name: 'p_untimed', rows: 5 },
    { name: 'p20261103', rows: 10 },
    { name: 'p20261101', rows: 20 },
    { name: 'p20261102', rows: 30 },
    { name: 'p_future', rows: 1 },
  ];
  assert.deepEqual(
    partitionsBefore(partitions, '2026-11-03').map((partition) => partition.day),
    ['2026-11-01', '2026-11-02'],
  );
  assert.deepEqual(partitionsBefore(partitions, '2026-11-01'), []);
});

test('the writers skip the lines of days before the horizon, never an untimed one, and copy nothing otherwise', () => {
  const horizon = { linesFrom: '2026-11-20', linesFromMs: Date.parse('2026-11-20T00:00:00Z') };
  const rows = [{ day: '2026-11-19' }, { day: UNTIMED_DAY }, { day: '2026-11-20' }, { day: '2026-12-01' }];
  assert.deepEqual(skipLinesBeforeHorizon(rows, horizon, isDayRowBefore), rows.slice(1));
  const recent = rows.slice(1);
  assert.equal(skipLinesBeforeHorizon(recent, horizon, isDayRowBefore), recent);
  assert.equal(skipLinesBeforeHorizon(rows, null, isDayRowBefore), rows);
  const clean = (iso: string) => ({ ts: new Date(iso) }) as CleanRow;
  const cleanRows = [clean('2026-11-19T23:59:59.999Z'), clean('2026-11-20T00:00:00.000Z')];
  assert.deepEqual(skipLinesBeforeHorizon(cleanRows, horizon, isCleanRowBefore), cleanRows.slice(1));
});
