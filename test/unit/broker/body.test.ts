import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exactBodyOf } from '../../../src/broker/body.js';

test('a Buffer body is the bytes as sent; a body rabbitmq-client decoded has none', () => {
  const bytes = Buffer.from([0x4c, 0xff, 0x00, 0x0a]);
  assert.equal(exactBodyOf({ body: bytes }), bytes);
  // text/plain: invalid UTF-8 already replaced; application/json: parsed.
  assert.equal(exactBodyOf({ body: 'L\ufffd' }), undefined);
  assert.equal(exactBodyOf({ body: { not: 'ours' } }), undefined);
  assert.equal(exactBodyOf({ body: 12 }), undefined);
});
