import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { eventIdOf, streamIdOf } from '../../../src/domain/index.js';

test("an event id is the stream id, then the line's offset as 8 big-endian bytes", () => {
  const stream = streamIdOf('access.log', Buffer.from('first line'));
  fc.assert(
    fc.property(fc.maxSafeNat(), (offset) => {
      const id = eventIdOf(stream, offset);
      assert.equal(id.length, 16);
      assert.deepEqual(id.subarray(0, 8), stream);
      assert.equal(id.readBigUInt64BE(8), BigInt(offset));
    }),
  );
  // Around 2^32, where the offset moves from the low half to the high one.
  for (const offset of [0, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER])
    assert.equal(eventIdOf(stream, offset).readBigUInt64BE(8), BigInt(offset));
});

test('ids of one stream sort as their offsets do (the primary key is append-friendly)', () => {
  const stream = streamIdOf('access.log', Buffer.from('first line'));
  fc.assert(
    fc.property(fc.maxSafeNat(), fc.maxSafeNat(), (a, b) => {
      const order = Buffer.compare(eventIdOf(stream, a), eventIdOf(stream, b));
      assert.equal(order, Math.sign(a - b));
    }),
  );
});
