/** The tests' own polling helper: a wait must end, whatever its check does. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../helpers/cli.js';

test('waitFor resolves once the check answers true', async () => {
  let calls = 0;
  await waitFor('the third call', () => ++calls === 3, 5000);
  assert.equal(calls, 3);
});

test('waitFor fails after its timeout when the check keeps answering false', async () => {
  await assert.rejects(
    waitFor('never', () => false, 300),
    /timed out after 300 ms waiting for never$/,
  );
});

test('waitFor fails when a check never answers, instead of waiting with it forever', async () => {
  await assert.rejects(
    waitFor('a query the server holds', () => new Promise<boolean>(() => undefined), 200),
    /waiting for a query the server holds: its last check had not answered 200 ms after that/,
  );
});

test("waitFor passes a check's error on", async () => {
  await assert.rejects(
    waitFor('a failing check', () => Promise.reject(new Error('connection refused')), 1000),
    /connection refused/,
  );
});
