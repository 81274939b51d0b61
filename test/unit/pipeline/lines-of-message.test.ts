/**
 * A message's lines → what is stored of each, with no broker and no database: every line yields
 * exactly one raw line and one clean or rejected line with its event id; a line cut short or too long
 * to parse is rejected as too_long; what the metrics count (parsed, reject codes) is what the lines say.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { eventIdOf } from '../../../src/domain/index.js';
import type { LogLine } from '../../../src/domain/index.js';
import { createDetectMemo } from '../../../src/formats/index.js';
import type { FormatChoice } from '../../../src/formats/index.js';
import { MAX_PARSED_LINE_BYTES, rawLinesOf, readLinesOf } from '../../../src/pipeline/index.js';
import type { FitLine, MessageLines } from '../../../src/pipeline/index.js';

const STREAM = Buffer.from('0123456789abcdef', 'hex');
const READ_AT_MS = Date.UTC(2026, 10, 1, 5, 0, 15, 123);
const GOOD =
  '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"';
const GOOD_TS = new Date(Date.UTC(2000, 9, 10, 20, 55, 36));

/** Lines at consecutive offsets, as a source would have read them (each followed by `\n`). */
function messageOf(lines: ReadonlyArray<{ text: string | Buffer; truncated?: boolean }>): MessageLines {
  let offset = 100;
  const decoded: LogLine[] = lines.map(({ text, truncated = false }) => {
    const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
    const line = { offset, bytes, truncated };
    offset += bytes.length + 1;
    return line;
  });
  return { source: 'web', streamId: STREAM, readAtMs: READ_AT_MS, decodeLines: () => decoded };
}

const whole: FitLine = (line) => line;
/** A server that takes no more than `max` bytes of a line. */
const upTo =
  (max: number): FitLine =>
  (line) =>
    line.length <= max ? line : line.subarray(0, max);

const read = (message: MessageLines, fitLine: FitLine = whole, format: FormatChoice = 'combined') =>
  readLinesOf(message, { format, memo: createDetectMemo(), fitLine });

describe('rawLinesOf', () => {
  test('one per line with its event id, bytes, time and the time it was read', () => {
    const message = messageOf([{ text: GOOD }, { text: 'no time here' }]);
    const lines = rawLinesOf(message, whole);
    assert.equal(lines.length, 2);
    assert.deepEqual(lines[0]!.eventId, eventIdOf(STREAM, 100));
    assert.deepEqual(lines[1]!.eventId, eventIdOf(STREAM, 100 + GOOD.length + 1));
    assert.equal(lines[0]!.bytes.toString(), GOOD);
    assert.deepEqual(lines[0]!.ts, GOOD_TS);
    assert.equal(lines[1]!.ts, null);
    assert.deepEqual(lines[1]!.receivedAt, new Date(READ_AT_MS));
    assert.equal(lines[0]!.source, 'web');
    assert.equal(lines[0]!.truncated, false);
  });

  test('a line cut by its source or to fit the server is flagged truncated', () => {
    const message = messageOf([{ text: 'x'.repeat(10), truncated: true }, { text: 'y'.repeat(50) }]);
    const lines = rawLinesOf(message, upTo(20));
    assert.deepEqual(
      lines.map((line) => [line.bytes.length, line.truncated]),
      [
        [10, true],
        [20, true],
      ],
    );
  });
});

describe('readLinesOf', () => {
  const cases: ReadonlyArray<{
    name: string;
    line: { text: string | Buffer; truncated?: boolean };
    code?: string;
  }> = [
    { name: 'a line the format parses is clean', line: { text: GOOD } },
    {
      name: 'a line no format accepts is rejected with its code',
      line: { text: 'not a log line' },
      code: 'bad_time',
    },
    {
      name: 'a line cut by its source is never parsed',
      line: { text: GOOD, truncated: true },
      code: 'too_long',
    },
    {
      name: 'a line over the parsed maximum is kept whole, unparsed',
      line: { text: GOOD + ' '.repeat(MAX_PARSED_LINE_BYTES) },
      code: 'too_long',
    },
  ];
  for (const { name, line, code } of cases) {
    test(name, () => {
      const { lines, parsed, codes } = read(messageOf([line]));
      assert.equal(lines.length, 1);
      const entry = lines[0]!;
      assert.deepEqual(entry.eventId, eventIdOf(STREAM, 100));
      assert.deepEqual(entry.receivedAt, new Date(READ_AT_MS));
      assert.ok(entry.bytes.equals(Buffer.from(line.text)), 'the line is kept as it came');
      if (code === undefined) {
        assert.equal(entry.parsed, true);
        assert.equal(parsed, 1);
        assert.deepEqual(codes, []);
        if (!entry.parsed) return;
        assert.deepEqual(entry.hit.ts, GOOD_TS);
        assert.equal(entry.hit.path, '/apache_pb.gif');
      } else {
        assert.equal(entry.parsed, false);
        assert.equal(parsed, 0);
        assert.deepEqual(codes, [code]);
        if (entry.parsed) return;
        assert.equal(entry.code, code);
        assert.ok(entry.reason.length > 0);
      }
    });
  }

  test('a line cut to fit the server is rejected with what was kept, and its own time', () => {
    const { lines, codes } = read(messageOf([{ text: GOOD }]), upTo(60));
    const entry = lines[0]!;
    assert.equal(entry.parsed, false);
    assert.deepEqual(codes, ['too_long']);
    if (entry.parsed) return;
    assert.equal(entry.bytes.length, 60);
    assert.match(entry.reason, /max_allowed_packet/);
    assert.deepEqual(entry.ts, GOOD_TS);
  });

  test('auto detection remembers the format in the memo it is handed', () => {
    const memo = createDetectMemo();
    readLinesOf(messageOf([{ text: GOOD }]), { format: 'auto', memo, fitLine: whole });
    assert.equal(memo.last, 'combined');
  });

  test('the same message gives the same lines each time (they are made again when a batch is split)', () => {
    const message = messageOf([{ text: GOOD }, { text: 'junk' }]);
    assert.deepEqual(read(message), read(message));
  });
});

/** A line a property may draw: parseable, junk (sometimes invalid UTF-8), or cut short by the source. */
const lineArbitrary = fc.oneof(
  fc.constant({ text: GOOD, truncated: false }),
  fc.string({ maxLength: 200 }).map((text) => ({ text, truncated: false })),
  fc
    .uint8Array({ minLength: 1, maxLength: 200 })
    .map((bytes) => ({ text: Buffer.from(bytes), truncated: false })),
  fc.constant({ text: GOOD.slice(0, 40), truncated: true }),
);

test('property: each line is one raw and one clean XOR rejected line with its event id, counted as they say', () => {
  fc.assert(
    fc.property(
      fc.array(lineArbitrary, { minLength: 1, maxLength: 30 }),
      fc.integer({ min: 20, max: 400 }),
      (lines, room) => {
        const message = messageOf(lines);
        const fitLine = upTo(room);
        const decoded = message.decodeLines();
        const { lines: readLines, parsed, codes } = read(message, fitLine, 'auto');
        const raw = rawLinesOf(message, fitLine);
        assert.equal(readLines.length, lines.length);
        assert.equal(raw.length, lines.length);
        let clean = 0;
        const rejectedCodes: string[] = [];
        readLines.forEach((entry, index) => {
          const line = decoded[index]!;
          const eventId = eventIdOf(STREAM, line.offset);
          assert.deepEqual(entry.eventId, eventId);
          assert.deepEqual(raw[index]!.eventId, eventId);
          const cut = line.truncated || line.bytes.length > room;
          assert.equal(raw[index]!.truncated, cut);
          assert.ok(raw[index]!.bytes.equals(fitLine(line.bytes)));
          if (entry.parsed) {
            clean++;
            assert.ok(!cut, 'a line cut short is never parsed');
            assert.ok(entry.bytes.equals(line.bytes));
          } else {
            rejectedCodes.push(entry.code);
            if (cut) assert.equal(entry.code, 'too_long');
            assert.ok(entry.bytes.equals(fitLine(line.bytes)));
          }
        });
        assert.equal(parsed, clean);
        assert.equal(codes.length, lines.length - clean);
        assert.deepEqual(rejectedCodes, codes);
      },
    ),
  );
});
