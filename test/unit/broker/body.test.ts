import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyBytesOf } from '../../../src/broker/body.js';

test('a Buffer body is the bytes as sent', () => {
  const bytes = Buffer.from([0x4c, 0xff, 0x00, 0x0a]);
  assert.equal(bodyBytesOf({ body: bytes }), bytes);
});

test('a body the library decoded is a defect, never passed on as data', () => {
  // text/plain: invalid UTF-8 already replaced; application/json: parsed. Neither gives back its bytes.
  for (const body of ['L\ufffd', { not: 'ours' }, 12]) {
    assert.throws(() => bodyBytesOf({ body }), /arrived decoded .* src\/broker\/body\.ts is not in effect/);
  }
});
