import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeRanges,
  encodeRanges,
  isAllCounted,
  isCounted,
  isNoneCounted,
  withRange,
} from '../../../../src/store/rollup/counted-ranges.js';
import type { CountedRanges } from '../../../../src/store/rollup/counted-ranges.js';

describe('counted ranges of a stream', () => {
  test('consecutive messages (one line ending apart) merge into one range', () => {
    let ranges: CountedRanges = [];
    ranges = withRange(ranges, 0, 99); // line ends at 99, "\n" at 99, next line at 100
    ranges = withRange(ranges, 100, 250);
    ranges = withRange(ranges, 252, 400); // "\r\n" between
    assert.deepEqual(ranges, [[0, 400]]);
  });

  test('messages committed out of order leave a gap until the missing one comes', () => {
    let ranges: CountedRanges = withRange([], 300, 400);
    ranges = withRange(ranges, 0, 99);
    assert.deepEqual(ranges, [
      [0, 99],
      [300, 400],
    ]);
    assert.equal(isCounted(ranges, 150), false, 'a line between them is not counted');
    ranges = withRange(ranges, 100, 299);
    assert.deepEqual(ranges, [[0, 400]]);
  });

  test('a gap wider than a line ending may hold a line, and stays', () => {
    assert.deepEqual(withRange(withRange([], 0, 10), 13, 20), [
      [0, 10],
      [13, 20],
    ]);
  });

  test('a re-read batched differently overlaps: only its new part is uncounted', () => {
    const ranges = withRange([], 0, 1000);
    assert.equal(isAllCounted(ranges, 500, 900), true);
    assert.equal(isNoneCounted(ranges, 500, 1500), false);
    assert.equal(isCounted(ranges, 999), true);
    assert.equal(isCounted(ranges, 1001), false);
    assert.deepEqual(withRange(ranges, 500, 1500), [[0, 1500]]);
  });

  test('stored form round-trips offsets up to 2^53', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: Number.MAX_SAFE_INTEGER - 10 }), fc.nat({ max: 5 })), {
          maxLength: 50,
        }),
        (spans) => {
          let ranges: CountedRanges = [];
          for (const [start, length] of spans) ranges = withRange(ranges, start, start + length);
          assert.deepEqual(decodeRanges(encodeRanges(ranges)), ranges);
        },
      ),
    );
  });

  test('membership after any order of additions is the union of what was added, gaps of ≤ 2 bytes aside', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 500 }), fc.integer({ min: 1, max: 40 })), { maxLength: 30 }),
        (spans) => {
          let ranges: CountedRanges = [];
          for (const [start, length] of spans) ranges = withRange(ranges, start, start + length);
          for (let offset = 0; offset < 560; offset++) {
            const inSome = spans.some(([start, length]) => offset >= start && offset < start + length);
            if (inSome) assert.equal(isCounted(ranges, offset), true, `${offset} was added`);
            else if (isCounted(ranges, offset)) {
              // Counted without being added: only inside a merged gap of at most 2 bytes.
              const before = spans.some(
                ([start, length]) => start + length <= offset && offset < start + length + 2,
              );
              assert.ok(before, `${offset} counted but neither added nor in a line ending`);
            }
          }
          for (let index = 1; index < ranges.length; index++) {
            assert.ok(
              (ranges[index] as [number, number])[0] > (ranges[index - 1] as [number, number])[1] + 2,
            );
          }
        },
      ),
    );
  });
});
