/**
 * Memory is bounded by bytes, not only by message counts: wide lines (60 kB, or one line of 16 MiB in
 * a message) must not make the producer's confirm window or a consumer's prefetch hold 64 or 100
 * such messages. Checked by what the processes hold (never by time), against the real RabbitMQ and
 * MariaDB; plus what an outage and a foreign message leave in the consumer's log and in data-dead.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { RowDataPacket } from 'mysql2';
import { Connection } from 'rabbitmq-client';
import {
  RAW_QUEUE,
  consumeLineBatches,
  createLinePublisher,
  encodeLineBatch,
} from '../../src/broker/index.js';
import type { LineBatch } from '../../src/domain/index.js';
import { streamIdOf } from '../../src/domain/index.js';
import { createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { assertExactlyOnce, expectedLines, rawRowCount } from '../helpers/stored-lines.js';
import { writeAccessLog } from '../helpers/log-file.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const MiB = 1024 * 1024;
const silent = pino({ level: 'silent' });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A combined-format line of exactly `bytes` bytes (newline excluded), made wide by its query string. */
function wideLine(index: number, bytes: number): string {
  const head = `10.0.${(index >> 8) & 255}.${index & 255} - - [04/Dec/2026:12:00:${String(index % 60).padStart(2, '0')} +0000] "GET /search?n=${index}&q=`;
  const tail = ' HTTP/1.1" 200 512 "-" "Mozilla/5.0"';
  return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
}

/** A batch of `count` wide lines of `lineBytes` each, as the producer's splitter would make it. */
function wideBatch(first: number, count: number, lineBytes: number): LineBatch {
  const lines = Array.from({ length: count }, (_, index) => ({
    offset: (first + index) * (lineBytes + 1),
    bytes: Buffer.from(wideLine(first + index, lineBytes)),
    truncated: false,
  }));
  return { source: 'wide', streamId: streamIdOf('wide', Buffer.from('wide')), readAtMs: Date.now(), lines };
}

describe('the broker adapter holds bytes within its budgets', () => {
  let services: TestServices;
  let rabbit: Connection;

  before(async () => {
    services = await createTestServices('memory_broker');
    assert.equal((await runCli(['setup'], { env: services.env })).code, 0);
    rabbit = new Connection({
      url: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(services.vhost)}`,
    });
    await rabbit.onConnect(10_000);
  });

  after(async () => {
    await rabbit?.close();
    await services?.teardown();
  });

  test('the producer has at most its window of bytes awaiting confirms, whatever the message count allows', async () => {
    const windowBytes = 4 * MiB;
    const publisher = createLinePublisher(rabbit, { window: 64, windowBytes, log: silent });
    // Sixteen 64 kB lines: a message of about 1 MiB, as --batch-bytes closes it.
    const batches = Array.from({ length: 30 }, (_, index) => wideBatch(index * 16, 16, 64_000));
    const messageBytes = encodeLineBatch(batches[0] as LineBatch).length;
    let mostInFlight = 0;
    for (const batch of batches) {
      const published = publisher.publish(batch);
      mostInFlight = Math.max(mostInFlight, publisher.inFlight);
      await published;
    }
    await publisher.close();
    // Fewer than 4 MiB awaited their confirm before each publish; then the one just sent.
    const allowed = Math.ceil(windowBytes / messageBytes);
    assert.ok(
      mostInFlight <= allowed,
      `at most ${allowed} messages of ${messageBytes} bytes awaited their confirm (saw ${mostInFlight})`,
    );
    const channel = await rabbit.acquire();
    const { messageCount } = await channel.queueDeclare({ queue: RAW_QUEUE, passive: true });
    await channel.close();
    assert.equal(messageCount, 30, 'every message was confirmed into the queue');
  });

  test('a consumer holds at most its budget of bytes, whatever its prefetch count allows', async () => {
    // The 30 messages of 1 MiB of the test above wait in data-lake.
    const budget = 8 * MiB;
    let held = 0;
    let mostHeld = 0;
    const seen = new Map<number, number>();
    const consumer = consumeLineBatches(
      rabbit,
      { queue: RAW_QUEUE, prefetch: 100, maxBytesHeld: budget, log: silent },
      async (batch) => {
        held += batch.lineBytes;
        mostHeld = Math.max(mostHeld, held);
        const first = batch.decodeLines()[0]?.offset ?? -1;
        seen.set(first, (seen.get(first) ?? 0) + 1);
        // Holds each message a while, as a transaction being formed does, so that deliveries pile up.
        await sleep(200);
        held -= batch.lineBytes;
        return { outcome: 'ack' };
      },
    );
    await waitFor('every message consumed', () => seen.size === 30 && consumer.inFlight === 0);
    await consumer.close();
    assert.ok(
      mostHeld <= budget,
      `the handler held at most 8 MiB at once (saw ${(mostHeld / MiB).toFixed(1)} MiB)`,
    );
    assert.ok(
      consumer.peakInFlightBytes <= budget,
      `bodies received and not settled: at most 8 MiB (saw ${(consumer.peakInFlightBytes / MiB).toFixed(1)} MiB)`,
    );
    assert.deepEqual([...seen.values()], Array<number>(30).fill(1), 'each message handled once');
  });
});

describe('the pipeline under wide lines and outages', () => {
  let services: TestServices;
  let dir: string;

  beforeEach(async (context) => {
    services = await createTestServices(context.name.split(' ')[0] ?? 'memory');
    dir = await mkdtemp(join(tmpdir(), 'lograbbit-memory-'));
    assert.equal((await runCli(['setup'], { env: services.env })).code, 0);
  });

  afterEach(async () => {
    await services.teardown();
    await rm(dir, { recursive: true, force: true });
  });

  test('lines of 16 MiB then 60 kB are stored exactly once, each consumer holding at most 32 MiB', async () => {
    const file = join(dir, 'wide.log');
    const maxLineBytes = 16 * MiB;
    const lines = [
      wideLine(0, 16_000_000),
      wideLine(1, 16_000_000),
      ...Array.from({ length: 700 }, (_, index) => wideLine(index + 2, 60_000)),
      // Either side of the longest line parsed into columns (MAX_PARSED_LINE_BYTES).
      wideLine(702, MiB),
      wideLine(703, MiB + 1),
    ];
    const content = Buffer.from(lines.join('\n') + '\n');
    await writeFile(file, content);

    const produced = await runCli(['produce', file, '--max-line-bytes', String(maxLineBytes)], {
      env: services.env,
    });
    assert.equal(produced.code, 0, produced.stderr);
    const consumed = await runCli(['consume', '--until-idle'], {
      env: { ...services.env, LOG_LEVEL: 'debug' },
    });
    assert.equal(consumed.code, 0, consumed.stderr.slice(-2000));
    const peaks = consumed.stderr
      .split('\n')
      .filter((line) => line.includes('"consumer closed"'))
      .map((line) => JSON.parse(line) as { queue: string; peakBytesHeld: number });
    assert.deepEqual(peaks.map((peak) => peak.queue).sort(), ['data-clean', 'data-lake']);
    for (const { queue, peakBytesHeld } of peaks) {
      // The queues held 16 MiB and 1 MiB messages: the default prefetch of 100 would take 100 of them.
      assert.ok(peakBytesHeld >= 16_000_000, `${queue} took the 16 MiB messages`);
      assert.ok(peakBytesHeld <= 32 * MiB, `${queue} held at most 32 MiB (saw ${peakBytesHeld} bytes)`);
    }
    await assertExactlyOnce(services, 'wide.log', expectedLines(content, maxLineBytes));
    // A line over 1 MiB is kept whole, with why it was not parsed: a string of its size per line was
    // what took the consumer over 300 MB.
    const sql = await services.sql();
    const [rejected] = await sql.query<RowDataPacket[]>(
      'SELECT LENGTH(line) AS bytes, reason FROM rejected_log ORDER BY bytes',
    );
    assert.deepEqual(
      rejected.map((row) => Number(row.bytes)),
      [MiB + 1, 16_000_000, 16_000_000],
    );
    for (const { reason } of rejected) {
      assert.match(String(reason), /longer than the 1 MiB that are parsed into columns/);
    }
    const [[clean]] = await sql.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM clean_log');
    assert.equal(Number(clean?.n), 701, 'the 60 kB lines and the line of exactly 1 MiB are parsed');
  });

  test('an outage of RabbitMQ is said once, not once per message in hand', async () => {
    const lines = 20_000;
    const file = join(dir, 'outage.log');
    const content = await writeAccessLog(file, lines, 31);
    const proxy = await startTcpProxy(5672);
    try {
      const env = { ...services.env, RABBIT_PORT: String(proxy.port), LOG_LEVEL: 'info' };
      const ingest = startCli(
        ['ingest', file, '--batch-lines', '20', '--prefetch', '50', '--write-batch-rows', '500'],
        { env },
      );
      await waitFor('a quarter stored', async () => (await rawRowCount(services, 'outage.log')) > lines / 4);
      proxy.cut();
      await sleep(4000);
      proxy.restore();
      const result = await ingest.exited;
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr.match(/RabbitMQ connection lost/g)?.length, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /failed to ack\/nack/, 'no warning per message in hand');
      assert.doesNotMatch(result.stderr, /"level":40[^\n]*consumer error/, 'no consumer warnings');
    } finally {
      await proxy.close();
    }
    await assertExactlyOnce(services, 'outage.log', expectedLines(content));
  });

  test('a text message, which rabbitmq-client would decode, reaches data-dead as it was sent', async () => {
    const rabbit = new Connection({
      url: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(services.vhost)}`,
    });
    try {
      const publisher = rabbit.createPublisher({ confirm: true });
      // Invalid UTF-8: decoded as text, its bytes cannot be had back from the string.
      await publisher.send(
        { exchange: 'weblogs', routingKey: 'log.foreign', durable: true, contentType: 'text/plain' },
        Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0x0a]),
      );
      await publisher.close();
      const consumed = await runCli(['consume', '--until-idle', '--json'], { env: services.env });
      assert.equal(consumed.code, 4, 'exit 4: done, but messages went to data-dead');
      const report = JSON.parse(consumed.stdout.trim()) as { stored: { deadMessages: number } };
      assert.equal(report.stored.deadMessages, 2, 'one from each queue');

      const channel = await rabbit.acquire();
      try {
        for (const queue of ['data-lake', 'data-clean']) {
          const letter = await channel.basicGet({ queue: 'data-dead', noAck: true });
          assert.ok(letter, `a dead letter (${queue})`);
          // Received as bytes (src/broker/body.ts), so moved with our reason and the body as sent,
          // not re-encoded from a decoded string.
          assert.match(String(letter.headers?.['x-lograbbit-reason']), /undecodable message/);
          assert.deepEqual(letter.body, Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0x0a]));
          assert.equal(letter.contentType, 'text/plain');
        }
      } finally {
        await channel.close();
      }
    } finally {
      await rabbit.close();
    }
  });
});
