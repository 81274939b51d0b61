import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClfTime } from '../../../src/formats/index.js';
import { timeParts } from '../../../src/enrich/index.js';

function partsOfClf(text: string): Omit<ReturnType<typeof timeParts>, 'ts'> & { iso: string } {
  const time = parseClfTime(text);
  if (typeof time === 'string') assert.fail(time);
  const { ts, ...rest } = timeParts(time.epochMs);
  return { ...rest, iso: ts.toISOString() };
}

void describe('timeParts', () => {
  const table: [string, string, number, number, number, string, string][] = [
    ['31/Dec/2022:23:30:00 -0500', '2023-01-01T04:30:00.000Z', 2023, 1, 1, 'Sunday', '04:30:00'],
    ['01/Jan/2023:03:00:00 +0530', '2022-12-31T21:30:00.000Z', 2022, 12, 31, 'Saturday', '21:30:00'],
    ['01/Nov/2022:00:00:15 -0500', '2022-11-01T05:00:15.000Z', 2022, 11, 1, 'Tuesday', '05:00:15'],
    ['28/Feb/2024:20:00:00 -0930', '2024-02-29T05:30:00.000Z', 2024, 2, 29, 'Thursday', '05:30:00'],
    ['28/Feb/2023:20:00:00 -0930', '2023-03-01T05:30:00.000Z', 2023, 3, 1, 'Wednesday', '05:30:00'],
    ['10/Oct/2000:13:55:36.123 -0700', '2000-10-10T20:55:36.123Z', 2000, 10, 10, 'Tuesday', '20:55:36'],
    ['01/Jan/2000:00:00:00 +1400', '1999-12-31T10:00:00.000Z', 1999, 12, 31, 'Friday', '10:00:00'],
    ['02/Jan/1000:00:00:00 +0000', '1000-01-02T00:00:00.000Z', 1000, 1, 2, 'Thursday', '00:00:00'],
    ['31/Dec/9999:23:59:59 +0000', '9999-12-31T23:59:59.000Z', 9999, 12, 31, 'Friday', '23:59:59'],
  ];
  for (const [clf, iso, year, month, day, dayOfWeek, timeOfDay] of table) {
    void it(`${clf} → ${iso} ${dayOfWeek}`, () => {
      assert.deepEqual(partsOfClf(clf), { iso, year, month, day, dayOfWeek, timeOfDay });
    });
  }

  void it('keeps the instant in ts', () => {
    assert.equal(timeParts(1_667_278_815_123).ts.getTime(), 1_667_278_815_123);
  });
});
