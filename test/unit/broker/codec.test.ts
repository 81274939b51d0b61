import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeLineBatch, encodeLineBatch } from '../../../src/broker/index.js';
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
      const decoded = decodeLineBatch(encodeLineBatch(batch));
      assert.equal(decoded.source, batch.source);
      assert.ok(decoded.streamId.equals(batch.streamId));
      assert.equal(decoded.readAtMs, batch.readAtMs);
      assert.equal(decoded.lines.length, batch.lines.length);
      decoded.lines.forEach((line, index) => {
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
  for (const body of bad) assert.throws(() => decodeLineBatch(body), PoisonMessageError);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        decodeLineBatch(Buffer.concat([Buffer.from('LRB1'), Buffer.from(bytes)]));
      } catch (error) {
        assert.ok(error instanceof PoisonMessageError, String(error));
      }
    }),
  );
});
