import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeLineBatch, readLineBatch } from '../../../src/broker/index.js';
import type { LineBatch } from '../../../src/domain/index.js';
import { PoisonMessageError } from '../../../src/errors.js';

const batchArbitrary = fc.record({
  source: fc.string({ maxLength: 60 }),
  streamId: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
  readAtMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  lines: fc.array(
    fc.record({
      offset: fc.maxSafeNat(),
      bytes: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
      truncated: fc.boolean(),
    }),
    { maxLength: 20 },
  ),
});

test('a batch survives encoding byte for byte (invalid UTF-8 and NUL bytes included)', () => {
  fc.assert(
    fc.property(batchArbitrary, (batch: LineBatch) => {
      const received = readLineBatch(encodeLineBatch(batch));
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
    }),
  );
});

test('a body that is not a well-formed batch is a poison message, never a crash', () => {
  const good = encodeLineBatch({
    source: 'a.log',
    streamId: Buffer.alloc(8, 1),
    readAtMs: 1,
    lines: [{ offset: 0, bytes: Buffer.from('hello'), truncated: false }],
  });
  const bad = [
    Buffer.from('{"json":true}'),
    Buffer.alloc(0),
    good.subarray(0, good.length - 1),
    Buffer.concat([good, Buffer.from('x')]),
  ];
  for (const body of bad) assert.throws(() => readLineBatch(body), PoisonMessageError);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        // A body the reader accepts is one whose lines decode: decodeLines checks no bound again.
        const received = readLineBatch(Buffer.concat([Buffer.from('LRB1'), Buffer.from(bytes)]));
        assert.equal(received.decodeLines().length, received.lineCount);
      } catch (error) {
        assert.ok(error instanceof PoisonMessageError, String(error));
      }
    }),
  );
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
