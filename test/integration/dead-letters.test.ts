/**
 * Poison messages: a message that can never be processed is moved to data-dead with its reason
 * (not redelivered forever, not lost); `dead list` shows it, `dead replay` sends it back to its queue.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from 'rabbitmq-client';
import { createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { runCli } from '../helpers/cli.js';
import { storedCounts } from '../helpers/stored-lines.js';
import { encodeLineBatch } from '../../src/broker/index.js';
import { streamIdOf } from '../../src/domain/index.js';

let services: TestServices;
let rabbit: Connection;

before(async () => {
  services = await createTestServices('dead');
  assert.equal((await runCli(['setup'], { env: services.env })).code, 0);
  rabbit = new Connection({ url: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(services.vhost)}` });
  await rabbit.onConnect(10_000);
});

after(async () => {
  await rabbit?.close();
  await services?.teardown();
});

interface Listed {
  queue: string;
  reason: string;
  lines: number | null;
  source: string | null;
}

async function deadList(): Promise<Listed[]> {
  const result = await runCli(['dead', 'list', '--json'], { env: services.env });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Listed);
}

test('an undecodable message goes to data-dead with its reason, from each queue, and nothing else stops', async () => {
  const publisher = rabbit.createPublisher({ confirm: true });
  await publisher.send(
    { exchange: 'weblogs', routingKey: 'log.foreign', durable: true },
    Buffer.from('{"not":"ours"}'),
  );
  await publisher.close();

  const consumed = await runCli(['consume', '--until-idle', '--json'], { env: services.env });
  assert.equal(consumed.code, 4, 'exit 4: done, but messages went to data-dead');
  assert.match(
    consumed.stderr,
    /2 messages were moved to data-dead, not stored: `lograbbit dead list` says why/,
  );
  const report = JSON.parse(consumed.stdout.trim()) as { stored: { deadMessages: number } };
  assert.equal(report.stored.deadMessages, 2, 'one from each queue');

  const letters = await deadList();
  assert.deepEqual(letters.map((letter) => letter.queue).sort(), ['data-clean', 'data-lake']);
  for (const letter of letters) {
    assert.equal(letter.reason, 'undecodable message: not a lograbbit line batch (bad magic)');
    assert.equal(letter.lines, null);
  }
  assert.equal((await deadList()).length, 2, '`dead list` leaves the queue as it was');
});

test('`dead replay` sends a message back to the queue it came from only', async () => {
  // Empty data-dead of the previous test's undecodable messages first: replayed, they die again.
  const first = await runCli(['dead', 'replay', '--json'], { env: services.env });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(JSON.parse(first.stdout), { replayed: 2, kept: 0 });
  assert.equal((await runCli(['consume', '--until-idle'], { env: services.env })).code, 4);
  assert.equal((await deadList()).length, 2, 'still undecodable, so dead again, with its reason');
  const channel = await rabbit.acquire();
  await channel.queuePurge({ queue: 'data-dead' });
  await channel.close();

  // A good batch that had been refused by data-clean's consumer (say the database refused it then).
  const line = Buffer.from('192.0.2.1 - - [01/Nov/2022:00:00:00 +0000] "GET /replayed HTTP/1.1" 200 10');
  const body = encodeLineBatch({
    source: 'replayed.log',
    streamId: streamIdOf('replayed.log', line),
    readAtMs: Date.now(),
    lines: [{ offset: 0, bytes: line, truncated: false }],
  });
  const publisher = rabbit.createPublisher({ confirm: true });
  await publisher.send(
    {
      routingKey: 'data-dead',
      durable: true,
      messageId: 'm-1',
      headers: {
        'x-lograbbit-reason': 'clean_log: the database refused the rows: …',
        'x-lograbbit-queue': 'data-clean',
      },
    },
    body,
  );
  await publisher.close();
  const [letter] = await deadList();
  assert.deepEqual(
    { ...letter },
    {
      messageId: 'm-1',
      queue: 'data-clean',
      routingKey: 'data-dead',
      reason: 'clean_log: the database refused the rows: …',
      lines: 1,
      source: 'replayed.log',
      bytes: body.length,
    },
  );

  const replayed = await runCli(['dead', 'replay'], { env: services.env });
  assert.equal(replayed.code, 0, replayed.stderr);
  assert.match(replayed.stdout, /replayed 1 message/);
  assert.equal((await runCli(['consume', '--until-idle'], { env: services.env })).code, 0);
  const stored = await storedCounts(services, 'replayed.log');
  assert.equal(stored.clean, 1, 'data-clean got it back and stored it');
  assert.equal(stored.raw, 0, 'data-lake did not get it a second time');
  assert.deepEqual(await deadList(), []);
});
