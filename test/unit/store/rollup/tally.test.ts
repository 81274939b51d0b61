/**
 * The tally of a transaction's lines: each bucket's counts are the sum of its lines, and the days'
 * top values, made from the hours' when written, sum each value over the day's hours.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DAY_MS,
  HOUR_MS,
  TOP_DIMENSIONS,
  addLine,
  dayTopTalliesOf,
  emptyTally,
  topTalliesOf,
} from '../../../../src/store/rollup/tally.js';
import type { CountedLine } from '../../../../src/store/rollup/tally.js';

const START = Date.UTC(2026, 10, 30, 20);

function lineAt(offset: number, tsMs: number, path: string, bytes: number): CountedLine {
  return {
    offset,
    tsMs,
    status: 200,
    bytes,
    isBot: false,
    ip: `10.0.0.${offset % 7}`,
    values: TOP_DIMENSIONS.map((dimension) =>
      dimension === 'path' ? path : dimension === 'notFound' ? undefined : 'x',
    ),
  };
}

test("a day's top values are the sum of its hours' in the tally, whatever hours the lines span", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          // Up to 30 hours from 20:00: lines of two days, some days with several hours.
          hour: fc.integer({ min: 0, max: 29 }),
          path: fc.constantFrom('/a', '/b', '/c', '/d'),
          source: fc.constantFrom('one', 'two'),
          bytes: fc.integer({ min: 0, max: 1000 }),
        }),
        { minLength: 1, maxLength: 60 },
      ),
      (lines) => {
        const tally = emptyTally();
        const expected = new Map<string, { requests: number; bytes: number }>();
        lines.forEach((line, index) => {
          const tsMs = START + line.hour * HOUR_MS + index;
          addLine(tally, line.source, lineAt(index, tsMs, line.path, line.bytes));
          const key = `${line.source} ${Math.floor(tsMs / DAY_MS)} ${line.path}`;
          const sum = expected.get(key) ?? { requests: 0, bytes: 0 };
          sum.requests++;
          sum.bytes += line.bytes;
          expected.set(key, sum);
        });
        const days = new Map<string, { requests: number; bytes: number }>();
        for (const top of dayTopTalliesOf(tally)) {
          if (top.dimension !== 'path') continue;
          const key = `${top.source} ${Math.floor(top.bucketMs / DAY_MS)} ${top.value}`;
          assert.ok(!days.has(key), `one entry per source, day and value: ${key}`);
          days.set(key, { requests: top.requests, bytes: top.bytes });
        }
        assert.deepEqual(days, expected);
        // And the hours still hold their own counts (a day's sum made no change to them).
        const hourRequests = [...topTalliesOf(tally)]
          .filter((top) => top.dimension === 'path')
          .reduce((sum, top) => sum + top.requests, 0);
        assert.equal(hourRequests, lines.length);
      },
    ),
  );
});

test('the traffic of a line is in its minute, its hour and its day', () => {
  const tally = emptyTally();
  addLine(tally, 'one', lineAt(0, START + 5, '/a', 10));
  addLine(tally, 'one', lineAt(10, START + 5 * HOUR_MS, '/a', 20));
  assert.deepEqual(
    [...tally.days.values()].map((day) => [day.bucketMs, day.requests, day.bytes]),
    [
      [Math.floor(START / DAY_MS) * DAY_MS, 1, 10],
      [Math.floor(START / DAY_MS) * DAY_MS + DAY_MS, 1, 20],
    ],
  );
  assert.equal(tally.hours.size, 2);
  assert.equal(tally.minutes.size, 2);
});
