/**
 * The queues' leader locator and the queues made before it: RabbitMQ refuses to declare an existing
 * queue with an argument it was not made with, so a new queue gets `x-queue-leader-locator: balanced`
 * while one made by an older lograbbit keeps its declaration, and lines still go through it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from 'rabbitmq-client';
import { CLEAN_QUEUE, DEAD_QUEUE, RAW_QUEUE } from '../../src/broker/index.js';
import { runCli } from '../helpers/cli.js';
import { createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { assertExactlyOnce, expectedLines } from '../helpers/stored-lines.js';

let services: TestServices;
let broker: Connection;
before(async () => {
  services = await createTestServices('topology_upgrade');
  broker = new Connection(`amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(services.vhost)}`);
});
after(async () => {
  await broker?.close();
  await services?.teardown();
});

const QUEUE_NAMES = [RAW_QUEUE, CLEAN_QUEUE, DEAD_QUEUE];
const quorum = { 'x-queue-type': 'quorum' } as const;
const work = {
  ...quorum,
  'x-delivery-limit': 20,
  'x-dead-letter-exchange': 'weblogs.dead',
  'x-dead-letter-strategy': 'at-least-once',
  'x-overflow': 'reject-publish',
} as const;
/** What an older lograbbit declared: the same queues, without the leader locator. */
const OLDER_DECLARATIONS = [
  { queue: RAW_QUEUE, durable: true, arguments: work },
  { queue: CLEAN_QUEUE, durable: true, arguments: work },
  { queue: DEAD_QUEUE, durable: true, arguments: quorum },
];
const balanced = { 'x-queue-leader-locator': 'balanced' } as const;

/**
 * Whether the queue was made with exactly these arguments: RabbitMQ checks a declaration of an
 * existing queue against the arguments it was made with (PRECONDITION_FAILED when they differ).
 */
async function madeWith(declaration: (typeof OLDER_DECLARATIONS)[number]): Promise<boolean> {
  try {
    await broker.queueDeclare(declaration);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'PRECONDITION_FAILED') return false;
    throw error;
  }
}

test('queues made without a leader locator keep working; new queues get the balanced one', async () => {
  for (const declaration of OLDER_DECLARATIONS) await broker.queueDeclare(declaration);

  const setup = await runCli(['setup'], { env: services.env });
  assert.equal(setup.code, 0, setup.stderr);
  const input = Buffer.from(
    Array.from(
      { length: 500 },
      (_, i) => `10.0.0.${i % 250} - - [01/Dec/2026:10:00:00 +0000] "GET /p/${i} HTTP/1.1" 200 12 "-" "-"\n`,
    ).join(''),
  );
  const ingest = await runCli(['ingest', '-', '--source', 'upgrade'], { env: services.env, input });
  assert.equal(ingest.code, 0, ingest.stderr);
  await assertExactlyOnce(services, 'upgrade', expectedLines(input));
  for (const declaration of OLDER_DECLARATIONS) {
    assert.ok(await madeWith(declaration), `${declaration.queue} kept its declaration`);
  }

  // The same vhost once the queues are gone: setup makes them anew, with the leader locator.
  for (const queue of QUEUE_NAMES) await broker.queueDelete({ queue });
  const again = await runCli(['setup'], { env: services.env });
  assert.equal(again.code, 0, again.stderr);
  for (const declaration of OLDER_DECLARATIONS) {
    assert.equal(
      await madeWith(declaration),
      false,
      `${declaration.queue} has more than the older arguments`,
    );
    const withLocator = { ...declaration, arguments: { ...declaration.arguments, ...balanced } };
    assert.ok(await madeWith(withLocator), `${declaration.queue} was made with the balanced leader locator`);
  }
});
