import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextPrefetchCount, prefetchCountFor } from '../../../src/broker/prefetch.js';

const MiB = 1024 * 1024;
const limits = { budgetBytes: 32 * MiB, maxCount: 100 };

test('the prefetch count keeps the largest message seen, with a margin, within the budget', () => {
  const cases: Array<[largestBytes: number, count: number]> = [
    [0, 1], // nothing seen yet: one at a time
    [25_000, 100], // ordinary lines: the message count binds
    [1 * MiB, 25], // 32 MiB / 1.25 MiB
    [16 * MiB, 1],
    [100 * MiB, 1], // larger than the budget: still one, alone
  ];
  for (const [largestBytes, count] of cases) {
    assert.equal(prefetchCountFor(limits, largestBytes), count, `largest ${largestBytes}`);
  }
});

test('the count is lowered at once when the messages in hand could exceed the budget', () => {
  assert.equal(nextPrefetchCount(limits, { count: 100, largestBytes: 16 * MiB, received: 1 }), 1);
  assert.equal(nextPrefetchCount(limits, { count: 25, largestBytes: 2 * MiB, received: 3 }), 12);
});

test('messages a little larger than the first ones do not change the count', () => {
  assert.equal(nextPrefetchCount(limits, { count: 25, largestBytes: 1.06 * MiB, received: 40 }), undefined);
});

test('the count is raised once as many messages as it allows arrived, and much smaller', () => {
  // Slow start: the first message shows they are small.
  assert.equal(nextPrefetchCount(limits, { count: 1, largestBytes: 25_000, received: 1 }), 100);
  assert.equal(nextPrefetchCount(limits, { count: 1, largestBytes: 1 * MiB, received: 1 }), 25);
  // Not yet: fewer messages than the count arrived since it was set.
  assert.equal(nextPrefetchCount(limits, { count: 10, largestBytes: 25_000, received: 5 }), undefined);
  assert.equal(nextPrefetchCount(limits, { count: 10, largestBytes: 25_000, received: 10 }), 100);
  // Not for a small gain.
  assert.equal(nextPrefetchCount(limits, { count: 20, largestBytes: 1 * MiB, received: 50 }), undefined);
  // Already at the most allowed.
  assert.equal(nextPrefetchCount(limits, { count: 100, largestBytes: 100, received: 500 }), undefined);
});
