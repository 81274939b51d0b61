/**
 * Poison messages against the real broker and database: a well-framed message no producer could
 * have sent is refused at decode and moved to data-dead alone, while every valid line around it is
 * stored exactly once; a message the broker dead-lettered at its delivery limit says so truthfully;
 * and data-dead keeps, lists and replays bodies as the exact bytes received, whatever their content
 * type.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from 'rabbitmq-client';
import type { SyncMessage } from 'rabbitmq-client';
import { createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { runCli } from '../helpers/cli.js';
import { assertExactlyOnce } from '../helpers/stored-lines.js';
import { DELIVERY_LIMIT, encodeLineBatch } from '../../src/broker/index.js';
import { bodyBytesOf } from '../../src/broker/body.js';
import { streamIdOf } from '../../src/domain/index.js';
import type { LineBatch } from '../../src/domain/index.js';

let services: TestServices;
let rabbit: Connection;

beforeEach(async (context) => {
  services = await createTestServices(context.name.split(' ')[0] ?? 'poison');
  assert.equal((await runCli(['setup'], { env: services.env })).code, 0);
  rabbit = new Connection({ url: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(services.vhost)}` });
  await rabbit.onConnect(10_000);
});

afterEach(async () => {
  await rabbit?.close();
  await services?.teardown();
});

interface Listed {
  messageId: string | null;
  queue: string | null;
  reason: string;
  lines: number | null;
  bytes: number;
}

async function deadList(): Promise<Listed[]> {
  const result = await runCli(['dead', 'list', '--json'], { env: services.env });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Listed);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const hit = (path: string): Buffer =>
  Buffer.from(`192.0.2.1 - - [01/Nov/2022:00:00:00 +0000] "GET ${path} HTTP/1.1" 200 10`);

test('poison: a frame whose readAtMs is NaN goes to data-dead alone; the consumer goes on and every valid line is stored once', async () => {
  const source = 'poison.log';
  const streamId = streamIdOf(source, hit('/0'));
  const batches: LineBatch[] = [0, 1, 2, 3].map((message) => ({
    source,
    streamId,
    readAtMs: Date.now(),
    lines: [0, 1].map((index) => {
      const bytes = hit(`/${message}-${index}`);
      return { offset: (message * 2 + index) * 100, bytes, truncated: false };
    }),
  }));
  // The adversary's frame: well formed, one valid line, readAtMs NaN (it sits after the source and
  // the stream id). Its line would have offset 10,000, which no valid line has.
  const poison = encodeLineBatch({
    source,
    streamId,
    readAtMs: Date.now(),
    lines: [{ offset: 10_000, bytes: hit('/poison'), truncated: false }],
  });
  poison.writeDoubleBE(Number.NaN, 4 + 1 + Buffer.byteLength(source) + 8);

  const publisher = rabbit.createPublisher({ confirm: true });
  const send = (body: Buffer, messageId: string) =>
    publisher.send(
      {
        exchange: 'weblogs',
        routingKey: 'log.poison_log',
        durable: true,
        messageId,
        contentType: 'application/vnd.lograbbit.lines.v1',
      },
      body,
    );
  await send(encodeLineBatch(batches[0] as LineBatch), 'valid-0');
  await send(encodeLineBatch(batches[1] as LineBatch), 'valid-1');
  await send(poison, 'poison');
  await send(encodeLineBatch(batches[2] as LineBatch), 'valid-2');
  await send(encodeLineBatch(batches[3] as LineBatch), 'valid-3');
  await publisher.close();

  const consumed = await runCli(['consume', '--until-idle', '--json'], {
    env: services.env,
    timeoutMs: 120_000,
  });
  // Exit 4: done, and it says that messages went to data-dead; it did not crash.
  assert.equal(consumed.code, 4, consumed.stderr);

  const letters = await deadList();
  assert.deepEqual(letters.map((letter) => letter.queue).sort(), ['data-clean', 'data-lake']);
  for (const letter of letters) {
    assert.equal(letter.messageId, 'poison');
    assert.match(letter.reason, /^undecodable message: readAtMs NaN is not a whole number of milliseconds/);
    assert.equal(letter.lines, null);
    assert.equal(letter.bytes, poison.length);
  }
  await assertExactlyOnce(
    services,
    source,
    batches.flatMap((batch) => batch.lines.map((line) => line.bytes)),
  );
});

test('delivery-limit: a message the broker dead-lettered says how often it was delivered', async () => {
  const line = hit('/limit');
  const body = encodeLineBatch({
    source: 'limit.log',
    streamId: streamIdOf('limit.log', line),
    readAtMs: Date.now(),
    lines: [{ offset: 0, bytes: line, truncated: false }],
  });
  const channel = await rabbit.acquire();
  await channel.confirmSelect();
  await channel.basicPublish({ routingKey: 'data-lake', durable: true, messageId: 'limited' }, body);
  // A consumer that fails every time: each delivery is returned to the queue.
  let deliveries = 0;
  for (let empty = 0; empty < 20;) {
    const message = await channel.basicGet({ queue: 'data-lake' });
    if (!message) {
      empty++;
      await sleep(50);
      continue;
    }
    deliveries++;
    channel.basicNack({ deliveryTag: message.deliveryTag, requeue: true });
  }
  await channel.close();
  // What the reason's figure rests on, on this broker: limit + 1 deliveries, then data-dead.
  assert.equal(deliveries, DELIVERY_LIMIT + 1);

  const letters = await deadList();
  assert.equal(letters.length, 1);
  assert.equal(letters[0]?.queue, 'data-lake');
  assert.equal(
    letters[0]?.reason,
    `delivered at least ${DELIVERY_LIMIT + 1} times without success (delivery limit ${DELIVERY_LIMIT})`,
  );
});

test('bytes: data-dead lists and replays every body as the bytes received, whatever its content type', async () => {
  const bodies: ReadonlyArray<{ messageId: string; contentType?: string; body: Buffer }> = [
    // Parsed and stringified again it would be {"a":1,"b":"é"}: fewer bytes.
    { messageId: 'json', contentType: 'application/json', body: Buffer.from('{ "a": 1.0, "b": "\\u00e9" }') },
    { messageId: 'bad-json', contentType: 'application/json', body: Buffer.from('{"not json') },
    { messageId: 'text', contentType: 'text/plain', body: Buffer.from([0x61, 0xff, 0xfe, 0x00, 0x62]) },
    { messageId: 'none', body: Buffer.from([0x00, 0xc3, 0x28, 0x7b, 0x7d]) },
  ];
  const publisher = rabbit.createPublisher({ confirm: true });
  for (const { messageId, contentType, body } of bodies) {
    await publisher.send(
      { exchange: 'weblogs', routingKey: 'log.foreign', durable: true, messageId, contentType },
      body,
    );
  }
  await publisher.close();

  const consumed = await runCli(['consume', '--until-idle'], { env: services.env, timeoutMs: 120_000 });
  assert.equal(consumed.code, 4, 'exit 4: done, but messages went to data-dead');

  const byId = new Map(bodies.map((entry) => [entry.messageId, entry]));
  const letters = await deadList();
  assert.equal(letters.length, bodies.length * 2, 'each one dead from each queue');
  for (const letter of letters) {
    const sent = byId.get(letter.messageId ?? '');
    assert.ok(sent, `an unexpected dead message: ${JSON.stringify(letter)}`);
    assert.equal(letter.bytes, sent.body.length, `${sent.messageId}: listed with the size it was sent with`);
  }

  const replayed = await runCli(['dead', 'replay', '--json'], { env: services.env });
  assert.equal(replayed.code, 0, replayed.stderr);
  assert.deepEqual(JSON.parse(replayed.stdout), { replayed: bodies.length * 2, kept: 0 });
  const channel = await rabbit.acquire();
  try {
    for (const queue of ['data-lake', 'data-clean']) {
      const received: SyncMessage[] = [];
      for (
        let message = await channel.basicGet({ queue });
        message;
        message = await channel.basicGet({ queue })
      ) {
        received.push(message);
      }
      assert.equal(received.length, bodies.length, `${queue} got each of its messages back once`);
      for (const message of received) {
        const sent = byId.get(message.messageId ?? '');
        assert.ok(sent);
        assert.ok(Buffer.isBuffer(message.body), `${sent.messageId}: the body arrives as bytes`);
        assert.equal(
          bodyBytesOf(message).toString('hex'),
          sent.body.toString('hex'),
          `${sent.messageId} in ${queue}`,
        );
        assert.equal(message.contentType, sent.contentType);
        assert.equal(message.contentEncoding, undefined, 'keeping bytes adds no content encoding');
      }
    }
  } finally {
    await channel.close();
  }
});
