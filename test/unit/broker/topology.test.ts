import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routingKeyOf } from '../../../src/broker/index.js';

test('routing keys are log.<source>, with AMQP wildcards and dots replaced', () => {
  assert.equal(routingKeyOf('access.log'), 'log.access_log');
  assert.equal(routingKeyOf('web#1 *x'), 'log.web_1__x');
  assert.match(routingKeyOf('nginx'), /^log\.[^.#*]+$/);
});
