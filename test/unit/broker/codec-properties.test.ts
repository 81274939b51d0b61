/**
 * Properties of the line-batch codec: whatever the encoder accepts comes back exactly, the encoder
 * and the decoder accept the same batches, and no body at all (random, mutated, spliced) makes the
 * decoder throw anything but a PoisonMessageError or return a field outside its checked range.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MAX_LINES_PER_MESSAGE,
  MAX_LINE_BYTES,
  MAX_READ_AT_MS,
  MIN_READ_AT_MS,
  encodeLineBatch,
  readLineBatch,
} from '../../../src/broker/index.js';
import type { ReceivedLineBatch } from '../../../src/broker/index.js';
import { sourceNameProblem } from '../../../src/domain/index.js';
import type { LineBatch, LogLine } from '../../../src/domain/index.js';
import { PoisonMessageError } from '../../../src/errors.js';
import { rawFrameOf } from './raw-frame.js';

const anyUtf16 = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  maxLength: 10,
});
const lineBytes = fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes));

const validBatch: fc.Arbitrary<LineBatch> = fc
  .record({
    source: fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
    streamId: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
    readAtMs: fc.integer({ min: MIN_READ_AT_MS, max: MAX_READ_AT_MS }),
    offsets: fc.uniqueArray(fc.maxSafeNat(), { minLength: 1, maxLength: 20 }),
    contents: fc.array(fc.record({ bytes: lineBytes, truncated: fc.boolean() }), {
      minLength: 20,
      maxLength: 20,
    }),
  })
  .map(({ source, streamId, readAtMs, offsets, contents }) => ({
    source,
    streamId,
    readAtMs,
    lines: offsets
      .sort((a, b) => a - b)
      .map((offset, index): LogLine => ({
        offset,
        ...(contents[index] ?? { bytes: Buffer.alloc(0), truncated: false }),
      })),
  }))
  .filter((batch) => sourceNameProblem(batch.source) === null);

/** Batches with any field possibly out of range: what a buggy producer could try to send. */
const looseBatch: fc.Arbitrary<LineBatch> = fc.record({
  source: fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    anyUtf16,
    fc.constant(''),
    fc.integer({ min: 250, max: 260 }).map((length) => 'a'.repeat(length)),
    fc.integer({ min: 125, max: 130 }).map((length) => 'é'.repeat(length)),
  ),
  streamId: fc.uint8Array({ minLength: 7, maxLength: 9 }).map((bytes) => Buffer.from(bytes)),
  readAtMs: fc.oneof(
    fc.integer({ min: MIN_READ_AT_MS, max: MAX_READ_AT_MS }),
    fc.double(),
    fc.constantFrom(MIN_READ_AT_MS - 1, MAX_READ_AT_MS + 1, -0, Number.NaN, Infinity),
  ),
  lines: fc.array(
    fc.record({
      offset: fc.oneof(fc.maxSafeNat(), fc.integer({ min: 0, max: 5 }), fc.double(), fc.constant(2 ** 53)),
      bytes: lineBytes,
      truncated: fc.boolean(),
    }),
    { maxLength: 8 },
  ),
});

/** The frame the batch would make if nothing were checked, when the frame can hold its fields. */
function uncheckedFrameOf(batch: LineBatch): Buffer | null {
  const source = Buffer.from(batch.source, 'utf8');
  // A lone surrogate has no UTF-8: it would be framed as U+FFFD, another source.
  const framable = source.length <= 255 && source.toString('utf8') === batch.source;
  if (!framable || batch.streamId.length !== 8) return null;
  return rawFrameOf({
    source,
    streamId: batch.streamId,
    readAtMs: batch.readAtMs,
    lines: batch.lines.map((line) => ({
      offset: line.offset,
      flags: line.truncated ? 1 : 0,
      bytes: line.bytes,
    })),
  });
}

function assertSameBatch(received: ReceivedLineBatch, batch: LineBatch): void {
  assert.equal(received.source, batch.source);
  assert.ok(received.streamId.equals(batch.streamId));
  assert.equal(received.readAtMs, batch.readAtMs);
  assert.equal(received.lineCount, batch.lines.length);
  assert.equal(
    received.lineBytes,
    batch.lines.reduce((sum, line) => sum + line.bytes.length, 0),
  );
  const lines = received.decodeLines();
  assert.equal(lines.length, batch.lines.length);
  lines.forEach((line, index) => {
    const original = batch.lines[index];
    assert.ok(original);
    assert.equal(line.offset, original.offset);
    assert.equal(line.truncated, original.truncated);
    assert.ok(line.bytes.equals(original.bytes));
  });
}

test('a batch the encoder accepts comes back exactly (invalid UTF-8 and NUL bytes included)', () => {
  fc.assert(
    fc.property(validBatch, (batch) => {
      assertSameBatch(readLineBatch(encodeLineBatch(batch)), batch);
    }),
    { numRuns: 300 },
  );
});

test('the encoder accepts exactly the batches the decoder accepts, and refuses the rest with a RangeError', () => {
  fc.assert(
    fc.property(fc.oneof(validBatch, looseBatch), (batch) => {
      let body: Buffer | null = null;
      try {
        body = encodeLineBatch(batch);
      } catch (error) {
        assert.ok(error instanceof RangeError, String(error));
      }
      const unchecked = uncheckedFrameOf(batch);
      if (body !== null) {
        assertSameBatch(readLineBatch(body), batch);
        assert.ok(unchecked?.equals(body), 'the encoder writes the frame the format describes');
      } else if (unchecked !== null) {
        assert.throws(() => readLineBatch(unchecked), PoisonMessageError);
      }
    }),
    { numRuns: 1000 },
  );
});

/** Every field of an accepted batch is within the range the decoder promises. */
function assertInRange(received: ReceivedLineBatch): void {
  assert.equal(sourceNameProblem(received.source), null);
  assert.equal(received.streamId.length, 8);
  assert.ok(Number.isSafeInteger(received.readAtMs));
  assert.ok(received.readAtMs >= MIN_READ_AT_MS && received.readAtMs <= MAX_READ_AT_MS);
  assert.ok(received.lineCount >= 1 && received.lineCount <= MAX_LINES_PER_MESSAGE);
  // decodeLines checks no bound again: it must not throw on a frame the reader accepted.
  const lines = received.decodeLines();
  assert.equal(lines.length, received.lineCount);
  let previous = -1;
  let bytes = 0;
  for (const line of lines) {
    assert.ok(Number.isSafeInteger(line.offset) && line.offset > previous);
    assert.ok(line.bytes.length <= MAX_LINE_BYTES);
    assert.equal(typeof line.truncated, 'boolean');
    previous = line.offset;
    bytes += line.bytes.length;
  }
  assert.equal(bytes, received.lineBytes);
}

function assertPoisonOrInRange(body: Buffer): void {
  let received: ReceivedLineBatch;
  try {
    received = readLineBatch(body);
  } catch (error) {
    assert.ok(error instanceof PoisonMessageError, `not a PoisonMessageError: ${String(error)}`);
    assert.equal(error.code, 'LR_MESSAGE_UNDECODABLE');
    return;
  }
  assertInRange(received);
}

/** Where each number of a valid frame is, to overwrite it. */
function fieldsOf(body: Buffer): { at: number; kind: 'f64' | 'u8' | 'u32' }[] {
  let at = 4 + 1 + body.readUInt8(4) + 8;
  const fields: { at: number; kind: 'f64' | 'u8' | 'u32' }[] = [
    { at: 4, kind: 'u8' },
    { at, kind: 'f64' },
    { at: at + 8, kind: 'u32' },
  ];
  const lines = body.readUInt32BE(at + 8);
  at += 12;
  for (let index = 0; index < lines; index++) {
    fields.push({ at, kind: 'f64' }, { at: at + 8, kind: 'u8' }, { at: at + 9, kind: 'u32' });
    at += 13 + body.readUInt32BE(at + 9);
  }
  return fields;
}

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    bits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 20 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 20 }),
  }),
  fc.record({
    kind: fc.constant('field' as const),
    which: fc.nat(),
    value: fc.oneof(fc.double(), fc.integer({ min: -1, max: 2 ** 32 }), fc.constantFrom(0, 1, 255, 10_001)),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(body: Buffer, change: Mutation): Buffer {
  const copy = Buffer.from(body);
  switch (change.kind) {
    case 'flip':
      for (const [position, bit] of change.bits) {
        const index = position % copy.length;
        copy[index] = (copy[index] ?? 0) ^ (1 << bit);
      }
      return copy;
    case 'truncate':
      return copy.subarray(0, change.at % copy.length);
    case 'append':
      return Buffer.concat([copy, change.bytes]);
    case 'insert': {
      const at = change.at % (copy.length + 1);
      return Buffer.concat([copy.subarray(0, at), change.bytes, copy.subarray(at)]);
    }
    case 'field': {
      const fields = fieldsOf(body);
      const field = fields[change.which % fields.length];
      assert.ok(field);
      const value = change.value;
      if (field.kind === 'f64') copy.writeDoubleBE(value, field.at);
      else if (field.kind === 'u8') copy.writeUInt8(Math.abs(Math.trunc(value)) % 256, field.at);
      else copy.writeUInt32BE(Math.abs(Math.trunc(value)) % 2 ** 32, field.at);
      return copy;
    }
  }
}

test('a mutated frame is refused as poison or decodes into fields within their ranges', () => {
  fc.assert(
    fc.property(validBatch, fc.array(mutation, { minLength: 1, maxLength: 3 }), (batch, changes) => {
      const body = encodeLineBatch(batch);
      let mutated = body;
      for (const change of changes) {
        // Fields are found in a valid frame only; after a first change, the change becomes a flip.
        mutated =
          change.kind === 'field' && mutated !== body
            ? mutate(mutated, { kind: 'flip', bits: [[change.which, 0]] })
            : mutate(mutated, change);
      }
      assertPoisonOrInRange(mutated);
    }),
    { numRuns: 2000 },
  );
});

test('two valid frames spliced at any points are refused as poison or decode within range', () => {
  fc.assert(
    fc.property(validBatch, validBatch, fc.nat(), fc.nat(), (first, second, cut, from) => {
      const a = encodeLineBatch(first);
      const b = encodeLineBatch(second);
      assertPoisonOrInRange(
        Buffer.concat([a.subarray(0, cut % (a.length + 1)), b.subarray(from % (b.length + 1))]),
      );
    }),
    { numRuns: 1000 },
  );
});

test('random bytes after the magic are refused as poison or decode within range', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      assertPoisonOrInRange(Buffer.concat([Buffer.from('LRB1'), bytes]));
      assertPoisonOrInRange(Buffer.from(bytes));
    }),
    { numRuns: 2000 },
  );
});
