import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from 'rabbitmq-client';
import { createLinePublisher } from '../../../src/broker/publisher.js';
import type { LineBatch } from '../../../src/domain/index.js';
import { LograbbitError } from '../../../src/errors.js';
import { settledWithin } from '../../../src/deadline.js';

/**
 * A connection whose channel confirms every message at once: the failure paths under test happen
 * before anything reaches a broker, so a real one would add nothing but start-up time.
 */
function confirmingConnection(): { connection: Connection; sent: string[] } {
  const sent: string[] = [];
  const fake = {
    ready: true,
    createPublisher: () => ({
      send: (envelope: { routingKey: string }) => {
        sent.push(envelope.routingKey);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    }),
  };
  // The publisher uses only `ready` and `createPublisher` (send, close) of the connection.
  return { connection: fake as unknown as Connection, sent };
}

const batchOf = (source: string): LineBatch => ({
  source,
  streamId: Buffer.alloc(8, 7),
  readAtMs: 1_700_000_000_000,
  lines: [{ offset: 0, bytes: Buffer.from('a line'), truncated: false }],
});

test('a batch the codec refuses fails its publish, and the publisher, without holding a place in flight', async () => {
  const { connection, sent } = confirmingConnection();
  const publisher = createLinePublisher(connection, { window: 4 });
  await publisher.publish(batchOf('good.log'));
  await publisher.flush();

  const tooLong = 'x'.repeat(300); // a source name is at most 255 bytes in a frame
  await assert.rejects(publisher.publish(batchOf(tooLong)), (error: unknown) => {
    assert.ok(error instanceof LograbbitError);
    assert.equal(error.code, 'LR_MESSAGE_UNENCODABLE');
    assert.match(error.message, /source/);
    return true;
  });
  assert.equal(publisher.inFlight, 0);
  assert.equal(publisher.inFlightBytes, 0);

  // The lines of the refused batch were never sent: neither flush nor close may report success.
  // A hang here (`late`) is the bug of issue 17: a refused batch left counted in flight.
  assert.equal((await settledWithin(publisher.flush(), 2000)).outcome, 'rejected');
  await assert.rejects(publisher.publish(batchOf('good.log')), /cannot publish a batch/);
  assert.equal((await settledWithin(publisher.close(), 2000)).outcome, 'rejected');
  assert.deepEqual(sent, ['log.good_log']); // dots in a name are not routing-key separators
});
