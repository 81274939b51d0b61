/**
 * Scenario: RabbitMQ alone — publish every line in batches of `batchLines` with confirms to the
 * topic exchange bound to the two quorum queues, as the producer does; nothing consumes.
 */
import { Connection } from 'rabbitmq-client';
import { createLinePublisher, declareTopology } from '../../src/broker/index.js';
import { streamIdOf } from '../../src/domain/index.js';

export async function benchBrokerOnly(
  url: string,
  lines: readonly string[],
  batchLines: number,
  window: number,
): Promise<{ linesPerSecond: number }> {
  const connection = new Connection(url);
  await connection.onConnect(10_000);
  try {
    const topology = await declareTopology(connection);
    const publisher = createLinePublisher(connection, { window, topology });
    const buffers = lines.map((line) => Buffer.from(line));
    const source = 'broker-only';
    const streamId = streamIdOf(source, buffers[0] ?? Buffer.alloc(0));
    const started = performance.now();
    let offset = 0;
    for (let at = 0; at < buffers.length; at += batchLines) {
      const batch = buffers.slice(at, at + batchLines).map((bytes) => {
        const line = { offset, bytes, truncated: false };
        offset += bytes.length + 1;
        return line;
      });
      await publisher.publish({ source, streamId, readAtMs: Date.now(), lines: batch });
    }
    await publisher.flush();
    const seconds = (performance.now() - started) / 1000;
    await publisher.close();
    for (const queue of ['data-lake', 'data-clean']) await connection.queuePurge({ queue });
    return { linesPerSecond: lines.length / seconds };
  } finally {
    await connection.close();
  }
}
