import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_LINES_PER_MESSAGE,
  MAX_LINE_BYTES,
  MAX_READ_AT_MS,
  MIN_READ_AT_MS,
  encodeLineBatch,
  readLineBatch,
} from '../../../src/broker/index.js';
import { tuningSchema } from '../../../src/config/index.js';
import type { LineBatch } from '../../../src/domain/index.js';
import { PoisonMessageError } from '../../../src/errors.js';
import { rawFrameOf, validFrame } from './raw-frame.js';
import type { RawLine } from './raw-frame.js';

const lineOf = (offset: number, overrides: Partial<RawLine> = {}): RawLine => ({
  offset,
  flags: 0,
  bytes: Buffer.from('x'),
  ...overrides,
});

// Each body differs from a valid frame in one field; the reason must name that field (and the line).
const refused: ReadonlyArray<readonly [string, Buffer, RegExp]> = [
  ['JSON', Buffer.from('{"json":true}'), /bad magic/],
  ['an empty body', Buffer.alloc(0), /bad magic/],
  ['the magic alone', Buffer.from('LRB1'), /truncated header: no source length/],
  ['a cut header', rawFrameOf(validFrame).subarray(0, 20), /truncated header/],
  [
    'an empty source',
    rawFrameOf({ ...validFrame, source: Buffer.alloc(0) }),
    /source: the source name is empty/,
  ],
  [
    'a source of invalid UTF-8',
    rawFrameOf({ ...validFrame, source: Buffer.from([0x61, 0xff]) }),
    /source: not valid UTF-8/,
  ],
  [
    'an encoded surrogate',
    rawFrameOf({ ...validFrame, source: Buffer.from([0xed, 0xa0, 0x80]) }),
    /source: not valid UTF-8/,
  ],
  ['readAtMs NaN', rawFrameOf({ ...validFrame, readAtMs: Number.NaN }), /readAtMs NaN/],
  ['readAtMs Infinity', rawFrameOf({ ...validFrame, readAtMs: Infinity }), /readAtMs Infinity/],
  ['readAtMs 1.5', rawFrameOf({ ...validFrame, readAtMs: 1.5 }), /readAtMs 1.5/],
  ['readAtMs -0', rawFrameOf({ ...validFrame, readAtMs: -0 }), /readAtMs 0 is not/],
  [
    'readAtMs in the year 999',
    rawFrameOf({ ...validFrame, readAtMs: MIN_READ_AT_MS - 1 }),
    /readAtMs -30610224000001/,
  ],
  [
    'readAtMs in the year 10000',
    rawFrameOf({ ...validFrame, readAtMs: MAX_READ_AT_MS + 1 }),
    /readAtMs 253402300800000/,
  ],
  ['no line', rawFrameOf({ ...validFrame, lines: [] }), /line count 0/],
  [
    'a million lines announced',
    rawFrameOf({ ...validFrame, lines: [], declaredLineCount: 1_000_000 }),
    /line count 1000000 is more than 10000/,
  ],
  [
    'a negative offset',
    rawFrameOf({ ...validFrame, lines: [lineOf(-1)] }),
    /line 1 of 1: offset -1 is not a whole number/,
  ],
  ['a NaN offset', rawFrameOf({ ...validFrame, lines: [lineOf(Number.NaN)] }), /line 1 of 1: offset NaN/],
  [
    'a fractional offset',
    rawFrameOf({ ...validFrame, lines: [lineOf(0), lineOf(2.5)] }),
    /line 2 of 2: offset 2.5/,
  ],
  [
    'an unsafe offset',
    rawFrameOf({ ...validFrame, lines: [lineOf(2 ** 53)] }),
    /line 1 of 1: offset 9007199254740992/,
  ],
  [
    'a repeated offset',
    rawFrameOf({ ...validFrame, lines: [lineOf(0), lineOf(5), lineOf(5)] }),
    /line 3 of 3: offset 5 is not after the previous line's \(5\)/,
  ],
  [
    'a decreasing offset',
    rawFrameOf({ ...validFrame, lines: [lineOf(9), lineOf(3)] }),
    /line 2 of 2: offset 3 is not after the previous line's \(9\)/,
  ],
  [
    'an unknown flag',
    rawFrameOf({ ...validFrame, lines: [lineOf(0), lineOf(4, { flags: 3 })] }),
    /line 2 of 2: unknown flags 0x3/,
  ],
  [
    'a line over the maximum',
    rawFrameOf({ ...validFrame, lines: [lineOf(0, { declaredLength: MAX_LINE_BYTES + 1 })] }),
    /line 1 of 1: length 16777217 bytes, more than 16777216/,
  ],
  [
    'a line longer than the frame',
    rawFrameOf({ ...validFrame, lines: [lineOf(0, { declaredLength: 2 })] }),
    /line 1 of 1: truncated: 2 bytes announced, 1 left/,
  ],
  [
    'a line header cut',
    rawFrameOf({ ...validFrame, lines: [lineOf(0)], declaredLineCount: 2 }),
    /line 2 of 2: truncated in its header/,
  ],
  [
    'a byte after the last line',
    rawFrameOf({ ...validFrame, trailing: Buffer.from('x') }),
    /1 unexpected bytes after the last line/,
  ],
];

for (const [what, body, reason] of refused) {
  test(`the decoder refuses ${what} as a poison message naming the field`, () => {
    assert.throws(
      () => readLineBatch(body),
      (error: unknown) => {
        assert.ok(error instanceof PoisonMessageError, String(error));
        assert.equal(error.code, 'LR_MESSAGE_UNDECODABLE');
        assert.match(error.message, reason);
        return true;
      },
    );
  });
}

test('the valid frame the refusals are made from is accepted, with every field as written', () => {
  const received = readLineBatch(rawFrameOf(validFrame));
  assert.equal(received.source, 'access.log');
  assert.equal(received.readAtMs, validFrame.readAtMs);
  assert.deepEqual(
    received.decodeLines().map((line) => [line.offset, line.truncated, line.bytes.toString()]),
    [
      [0, false, 'first line'],
      [11, true, 'second'],
      [40, false, 'third'],
    ],
  );
  // The edges of each range are inside it.
  for (const readAtMs of [MIN_READ_AT_MS, MAX_READ_AT_MS]) {
    assert.equal(readLineBatch(rawFrameOf({ ...validFrame, readAtMs })).readAtMs, readAtMs);
  }
  const longest = rawFrameOf({
    ...validFrame,
    source: Buffer.alloc(255, 'a'),
    lines: Array.from({ length: MAX_LINES_PER_MESSAGE }, (_, index) => lineOf(index)),
  });
  assert.equal(readLineBatch(longest).lineCount, MAX_LINES_PER_MESSAGE);
  // Control characters are allowed in a source: a file's base name may hold them.
  assert.equal(readLineBatch(rawFrameOf({ ...validFrame, source: Buffer.from('a\tb\n') })).source, 'a\tb\n');
});

const batch: LineBatch = {
  source: 'a.log',
  streamId: Buffer.alloc(8, 1),
  readAtMs: 1,
  lines: [{ offset: 0, bytes: Buffer.from('hello'), truncated: false }],
};
const line = (offset: number, bytes = Buffer.from('x')) => ({ offset, bytes, truncated: false });

// The encoder refuses what the decoder would, so a producer finds out before anything is sent.
const unsendable: ReadonlyArray<readonly [string, LineBatch, RegExp]> = [
  ['an empty source', { ...batch, source: '' }, /source name is empty/],
  ['a source of 256 bytes', { ...batch, source: 'é'.repeat(128) }, /256 bytes of UTF-8, more than 255/],
  ['a lone surrogate in the source', { ...batch, source: 'a\ud800' }, /lone surrogate/],
  ['a stream id of 4 bytes', { ...batch, streamId: Buffer.alloc(4) }, /stream id is 4 bytes, not 8/],
  ['readAtMs NaN', { ...batch, readAtMs: Number.NaN }, /readAtMs NaN/],
  ['readAtMs in the year 10000', { ...batch, readAtMs: MAX_READ_AT_MS + 1 }, /readAtMs 253402300800000/],
  ['no line', { ...batch, lines: [] }, /line count 0/],
  [
    'too many lines',
    { ...batch, lines: Array.from({ length: MAX_LINES_PER_MESSAGE + 1 }, (_, i) => line(i)) },
    /line count 10001/,
  ],
  ['a repeated offset', { ...batch, lines: [line(3), line(3)] }, /line 2 of 2: offset 3 is not after/],
  ['a negative offset', { ...batch, lines: [line(-4)] }, /line 1 of 1: offset -4/],
  [
    'a line over the maximum',
    { ...batch, lines: [line(0, Buffer.alloc(MAX_LINE_BYTES + 1))] },
    /line 1 of 1: length 16777217/,
  ],
];

for (const [what, unsent, reason] of unsendable) {
  test(`the encoder refuses ${what}, naming the field`, () => {
    assert.throws(
      () => encodeLineBatch(unsent),
      (error: unknown) => {
        assert.ok(error instanceof RangeError, String(error));
        assert.match(error.message, /^cannot send a batch of source /);
        assert.match(error.message, reason);
        return true;
      },
    );
  });
}

test("the codec's bounds hold whatever the options allow a producer to send", () => {
  const accepts = (overrides: Record<string, number>) => tuningSchema.safeParse(overrides).success;
  assert.ok(accepts({ batchLines: MAX_LINES_PER_MESSAGE }));
  assert.ok(
    !accepts({ batchLines: MAX_LINES_PER_MESSAGE + 1 }),
    '--batch-lines goes beyond MAX_LINES_PER_MESSAGE',
  );
  assert.ok(accepts({ maxLineBytes: MAX_LINE_BYTES }));
  assert.ok(!accepts({ maxLineBytes: MAX_LINE_BYTES + 1 }), '--max-line-bytes goes beyond MAX_LINE_BYTES');
});

test('lines are decoded at each call, not kept with the batch: a waiting message holds only its body', () => {
  const body = encodeLineBatch({
    source: 'a.log',
    streamId: Buffer.alloc(8, 1),
    readAtMs: 1,
    lines: [
      { offset: 0, bytes: Buffer.from('one'), truncated: false },
      { offset: 4, bytes: Buffer.from('two'), truncated: true },
    ],
  });
  const received = readLineBatch(body);
  const first = received.decodeLines();
  const second = received.decodeLines();
  assert.notEqual(first, second);
  assert.deepEqual(first, second);
  // Views into the body, not copies.
  assert.equal(first[1]?.bytes.buffer, body.buffer);
});

test('a released batch keeps no way to its body: its stream id is a copy and its lines can no longer be decoded', () => {
  const body = encodeLineBatch({
    source: 'a.log',
    streamId: Buffer.alloc(8, 7),
    readAtMs: 1,
    lines: [{ offset: 0, bytes: Buffer.from('one'), truncated: false }],
  });
  const received = readLineBatch(body);
  assert.equal(received.decodeLines().length, 1);
  received.release();
  body.fill(0);
  assert.deepEqual(received.streamId, Buffer.alloc(8, 7));
  assert.throws(() => received.decodeLines(), /settled message/);
});
