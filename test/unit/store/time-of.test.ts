import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { timeOf } from '../../../src/store/rollup-queries.js';

/** A DATETIME as MariaDB sends it when read as text: UTC, with `places` fractional digits. */
function datetimeText(ms: number, places: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-28T17:00:00.123Z
  const fraction = places === 0 ? '' : `.${iso.slice(20, 23).padEnd(places, '0').slice(0, places)}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}`;
}

test('timeOf reads a DATETIME text as the Date parser does, to the millisecond', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59) }),
      fc.constantFrom(0, 1, 3, 6),
      (ms, places) => {
        const text = datetimeText(ms, places);
        assert.equal(timeOf(text), new Date(`${text.replace(' ', 'T')}Z`).getTime(), text);
      },
    ),
  );
});

test('timeOf: a Date as itself, null and other values as null, other texts as the Date parser reads them', () => {
  assert.equal(timeOf(new Date(5)), 5);
  assert.equal(timeOf(null), null);
  assert.equal(timeOf(42), null);
  assert.equal(timeOf('2026-11-28T17:00:00'), new Date('2026-11-28T17:00:00Z').getTime());
});
