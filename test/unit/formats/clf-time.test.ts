import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClfTime } from '../../../src/formats/index.js';
import { utc } from './table.js';

void describe('parseClfTime', () => {
  const good: [string, number, number][] = [
    ['01/Nov/2022:00:00:15 -0500', utc(2022, 11, 1, 5, 0, 15), -300],
    ['10/Oct/2000:13:55:36 -0700', utc(2000, 10, 10, 20, 55, 36), -420],
    ['10/Oct/2000:13:55:36.123 -0700', utc(2000, 10, 10, 20, 55, 36, 123), -420],
    ['10/Oct/2000:13:55:36.5 +0000', utc(2000, 10, 10, 13, 55, 36, 500), 0],
    ['10/Oct/2000:13:55:36.123456789 +0000', utc(2000, 10, 10, 13, 55, 36, 123), 0],
    ['01/Jan/2023:03:00:00 +0530', utc(2022, 12, 31, 21, 30), 330],
    ['31/Dec/2022:20:00:00 -0930', utc(2023, 1, 1, 5, 30), -570],
    ['31/Dec/2022:23:30:00 -0500', utc(2023, 1, 1, 4, 30), -300],
    ['29/Feb/2024:12:00:00 +0000', utc(2024, 2, 29, 12), 0],
    ['29/Feb/2000:12:00:00 +0000', utc(2000, 2, 29, 12), 0],
    ['01/jan/2020:00:00:00 +1400', utc(2019, 12, 31, 10), 840],
    ['01/JAN/2020:00:00:00 -1400', utc(2020, 1, 1, 14), -840],
    ['15/Jun/2021:10:00:00 -0000', utc(2021, 6, 15, 10), 0],
    ['02/Jan/1000:00:00:00 +0000', utc(1000, 1, 2), 0],
    ['31/Dec/9999:23:59:59 +0000', utc(9999, 12, 31, 23, 59, 59), 0],
  ];
  for (const [text, epochMs, offsetMinutes] of good) {
    void it(`reads ${text}`, () => {
      assert.deepEqual(parseClfTime(text), { epochMs, offsetMinutes });
    });
  }

  const bad: [string, RegExp][] = [
    ['29/Feb/2023:12:00:00 +0000', /bad day "29" for Feb 2023/],
    ['29/Feb/1900:12:00:00 +0000', /bad day "29" for Feb 1900/],
    ['31/Apr/2023:12:00:00 +0000', /bad day "31" for Apr/],
    ['00/Jan/2023:12:00:00 +0000', /bad day "00"/],
    ['10/Foo/2023:12:00:00 +0000', /bad month "Foo"/],
    ['10/Oct/2023:25:00:00 +0000', /bad hour "25"/],
    ['10/Oct/2023:12:60:00 +0000', /bad minute "60"/],
    ['10/Oct/2023:12:00:60 +0000', /bad second "60"/],
    ['10/Oct/0999:12:00:00 +0000', /bad year "0999"/],
    ['10/Oct/20x3:12:00:00 +0000', /bad year "20x3"/],
    ['01/Jan/1000:00:30:00 +0100', /outside years 1000..9999/],
    ['31/Dec/9999:23:30:00 -0100', /outside years 1000..9999/],
    ['10/Oct/2023:12:00:00 +1401', /beyond ±14:00/],
    ['10/Oct/2023:12:00:00 -1500', /beyond ±14:00/],
    ['10/Oct/2023:12:00:00 +0560', /bad time zone "\+0560"/],
    ['10/Oct/2023:12:00:00 0500', /not "dd\/Mon/],
    ['10/Oct/2023:12:00:00 +05:00', /bad time zone/],
    ['10/Oct/2023:12:00:00', /not "dd\/Mon/],
    ['10/Oct/2023:12:00:00. +0000', /bad fraction/],
    ['1/Oct/2023:12:00:00 +0000', /not "dd\/Mon/],
    ['', /not "dd\/Mon/],
  ];
  for (const [text, reason] of bad) {
    void it(`rejects ${JSON.stringify(text)}`, () => {
      const result = parseClfTime(text);
      assert.equal(typeof result, 'string');
      assert.match(result as string, reason);
    });
  }

  void it('reads a time in the middle of a string, bounded by start and end', () => {
    const line = 'x [01/Nov/2022:00:00:15 -0500] y';
    assert.deepEqual(parseClfTime(line, 3, 29), { epochMs: utc(2022, 11, 1, 5, 0, 15), offsetMinutes: -300 });
  });

  void it('never reports -0 as an offset', () => {
    const result = parseClfTime('15/Jun/2021:10:00:00 -0000');
    assert.ok(typeof result !== 'string' && Object.is(result.offsetMinutes, 0));
  });
});
