/**
 * A transaction's rows as the rollups keep them until commit (columns, not an object a line): what
 * is read back for each clean line is what the row said, in TOP_DIMENSIONS order, and rejected rows
 * widen the unit's range without being counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { eventIdOf } from '../../../../src/domain/index.js';
import { countingUnitsOf } from '../../../../src/store/rollup/counting-units.js';
import type { CountableRow } from '../../../../src/store/rollup/counting-units.js';
import { TOP_DIMENSIONS, TextTable, forEachCountedLine } from '../../../../src/store/rollup/tally.js';
import type { CleanRow, RejectedRow } from '../../../../src/store/schema.js';

const STREAM = Buffer.from('0123456789abcdef', 'hex');
const text = fc.option(fc.string({ maxLength: 300 }), { nil: null });

const lineArbitrary = fc.record({
  clean: fc.boolean(),
  length: fc.integer({ min: 1, max: 500 }),
  tsMs: fc.integer({ min: 0, max: 4_000_000_000_000 }),
  status: fc.constantFrom(200, 301, 404, 500),
  bytes: fc.integer({ min: 0, max: 2 ** 40 }),
  isBot: fc.option(fc.boolean(), { nil: null }),
  ip: text,
  path: text,
  host: text,
  country: text,
  browser: text,
  os: text,
  device: text,
  referrerHost: text,
  user: text,
});

test('each clean line read back from its unit is the row it came from; rejected ones are in the range only', () => {
  fc.assert(
    fc.property(fc.array(lineArbitrary, { minLength: 1, maxLength: 40 }), (lines) => {
      let offset = 1000;
      const rows: CountableRow[] = lines.map((line) => {
        const eventId = eventIdOf(STREAM, offset);
        const bytes = Buffer.alloc(line.length);
        offset += line.length + 1;
        if (!line.clean) {
          // The fields countingUnitsOf reads of a rejected row.
          return { table: 'rejected_log', row: { eventId, source: 's', line: bytes } as RejectedRow };
        }
        const { clean: _clean, length: _length, tsMs, ...fields } = line;
        // The fields countingUnitsOf reads of a clean row; the others do not matter to it.
        const row = { ...fields, eventId, source: 's', ts: new Date(tsMs) } as CleanRow;
        return { table: 'clean_log', row, line: bytes };
      });
      const units = countingUnitsOf(rows, new TextTable());
      assert.equal(units.length, 1);
      const unit = units[0]!;
      assert.equal(unit.start, 1000);
      assert.equal(unit.end, offset - 1);
      const read: unknown[] = [];
      forEachCountedLine(unit, (line) => read.push({ ...line, values: [...line.values] }));
      let at = 1000;
      const expected = lines.flatMap((line) => {
        const lineOffset = at;
        at += line.length + 1;
        if (!line.clean) return [];
        const path = line.path === null ? null : [...line.path].slice(0, 255).join('');
        const byDimension: Record<(typeof TOP_DIMENSIONS)[number], string | null | undefined> = {
          path,
          notFound: line.status === 404 ? path : undefined,
          host: line.host,
          country: line.country,
          browser: line.browser,
          os: line.os,
          device: line.device,
          referrer: line.referrerHost,
          status: String(line.status),
          user: line.user,
        };
        return [
          {
            offset: lineOffset,
            tsMs: line.tsMs,
            status: line.status,
            bytes: line.bytes,
            isBot: line.isBot,
            ip: line.ip,
            values: TOP_DIMENSIONS.map((dimension) => byDimension[dimension]),
          },
        ];
      });
      assert.deepEqual(read, expected);
    }),
  );
});
