import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEpochSeconds, parseForwardedFor, parseIsoTime } from '../../../src/formats/index.js';
import { utc } from './table.js';

void describe('parseIsoTime', () => {
  const table: [string, number | null, number?][] = [
    ['2024-03-12T08:19:02Z', utc(2024, 3, 12, 8, 19, 2), 0],
    ['2024-03-12T08:19:02.186641Z', utc(2024, 3, 12, 8, 19, 2, 186), 0],
    ['2024-03-12T13:49:02+05:30', utc(2024, 3, 12, 8, 19, 2), 330],
    ['2024-03-12T04:49:02-0330', utc(2024, 3, 12, 8, 19, 2), -210],
    ['2024-03-12 08:19:02', utc(2024, 3, 12, 8, 19, 2), 0],
    ['2024-02-29T00:00:00Z', utc(2024, 2, 29), 0],
    ['2023-02-29T00:00:00Z', null],
    ['2024-03-12T24:00:00Z', null],
    ['2024-03-12T08:19:02+15:00', null],
    ['2024-03-12T08:19:02 garbage', null],
    ['0999-12-31T23:59:59Z', null],
  ];
  for (const [text, epochMs, offset] of table) {
    void it(text, () => {
      const t = parseIsoTime(text);
      if (epochMs === null) assert.equal(typeof t, 'string');
      else assert.deepEqual(t, { epochMs, offsetMinutes: offset });
    });
  }

  void it('reads epoch seconds exactly to the millisecond', () => {
    assert.deepEqual(parseEpochSeconds('1709622489.123'), { epochMs: 1709622489123, offsetMinutes: 0 });
    assert.deepEqual(parseEpochSeconds('1709622489.9'), { epochMs: 1709622489900, offsetMinutes: 0 });
    assert.equal(typeof parseEpochSeconds('17e9'), 'string');
  });
});

void describe('parseForwardedFor', () => {
  const table: [string | null, string | null, string | null][] = [
    ['203.0.113.9, 10.0.0.1', '203.0.113.9', '203.0.113.9, 10.0.0.1'],
    ['203.0.113.9:51234', '203.0.113.9', '203.0.113.9:51234'],
    ['[2001:db8::1]:443, 10.0.0.1', '2001:db8::1', '[2001:db8::1]:443, 10.0.0.1'],
    ['2001:db8::1', '2001:db8::1', '2001:db8::1'],
    ['unknown, 10.0.0.1', null, 'unknown, 10.0.0.1'],
    ['-', null, null],
    ['', null, null],
    [null, null, null],
  ];
  for (const [value, client, chain] of table) {
    void it(JSON.stringify(value), () => assert.deepEqual(parseForwardedFor(value), { client, chain }));
  }
});
