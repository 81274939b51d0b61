import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatClfTime, formatUtcOffset, parseUtcOffset } from '../../../../src/sources/simulator/index.js';

test('formatClfTime writes the wall-clock time at the offset', () => {
  const cases: [number, number, string][] = [
    [Date.UTC(2022, 10, 1, 5, 0, 15), -300, '01/Nov/2022:00:00:15 -0500'],
    [Date.UTC(2022, 10, 1, 5, 0, 15, 999), -300, '01/Nov/2022:00:00:15 -0500'],
    [Date.UTC(2023, 0, 1, 0, 0, 0), -300, '31/Dec/2022:19:00:00 -0500'],
    [Date.UTC(2024, 1, 28, 20, 0, 0), 330, '29/Feb/2024:01:30:00 +0530'],
    [Date.UTC(2024, 5, 9, 12, 34, 56), 0, '09/Jun/2024:12:34:56 +0000'],
    [Date.UTC(2024, 5, 9, 12, 34, 56), 13 * 60 + 45, '10/Jun/2024:02:19:56 +1345'],
  ];
  for (const [epochMs, offset, text] of cases) assert.equal(formatClfTime(epochMs, offset), text);
});

test('UTC offsets read and write as ±hhmm', () => {
  const cases: [string, number][] = [
    ['-0500', -300],
    ['+0530', 330],
    ['+0000', 0],
    ['-0930', -570],
    ['+1400', 840],
  ];
  for (const [text, minutes] of cases) {
    assert.equal(parseUtcOffset(text), minutes);
    assert.equal(formatUtcOffset(minutes), text);
  }
  for (const bad of ['0500', '+05:30', '+5', '+0560', '+1401', 'UTC', '']) {
    assert.throws(() => parseUtcOffset(bad), RangeError, bad);
  }
});
