import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settledWithin } from '../../src/deadline.js';

test('work that settles in time is reported as it settled', async () => {
  assert.deepEqual(await settledWithin(Promise.resolve(7), 1_000), { outcome: 'fulfilled', value: 7 });
  const error = new Error('refused');
  assert.deepEqual(await settledWithin(Promise.reject(error), 1_000), { outcome: 'rejected', error });
});

test('work that never settles is late', async () => {
  // The deadline's own timer is unref'd: this one keeps the test's event loop alive meanwhile.
  const keepAlive = setTimeout(() => {}, 5_000);
  try {
    assert.deepEqual(await settledWithin(new Promise(() => {}), 20), { outcome: 'late' });
  } finally {
    clearTimeout(keepAlive);
  }
});
