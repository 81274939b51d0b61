/**
 * The data-dead queue, for operators: list what is there and why, and replay it once the cause is
 * fixed. A message lands there when it can never be processed (undecodable, or rows the database
 * refuses: reason in `x-lograbbit-reason`), or when the broker gave up after `DELIVERY_LIMIT`
 * deliveries (reason in `x-death`). Replay sends a message back to the one queue it came from, so the
 * other queue does not see it twice. Bodies are listed and replayed as the exact bytes received,
 * whatever their content type (see body.ts).
 */
import type { Connection, SyncMessage } from 'rabbitmq-client';
import { messageOf } from '../errors.js';
import { bodyBytesOf } from './body.js';
import { readLineBatch } from './codec.js';
import { ORIGIN_QUEUE_HEADER, REASON_HEADER } from './consumer.js';
import { CLEAN_QUEUE, DEAD_QUEUE, DELIVERY_LIMIT, RAW_QUEUE } from './topology.js';

export interface DeadLetter {
  readonly messageId: string | null;
  /** The queue it was taken from: data-lake or data-clean (null when unknown). */
  readonly queue: string | null;
  readonly routingKey: string;
  readonly reason: string;
  /** Lines in the message, when it decodes. */
  readonly lines: number | null;
  /** The source of its lines, when it decodes. */
  readonly source: string | null;
  readonly bytes: number;
}

/** An entry of `x-death`. Its `count` counts the times the message was dead-lettered, not delivered. */
interface DeathRecord {
  readonly reason?: string;
  readonly queue?: string;
}

/** Up to `limit` dead messages, oldest first; the queue is left as it was. */
export async function listDeadLetters(connection: Connection, limit: number): Promise<DeadLetter[]> {
  const channel = await connection.acquire();
  try {
    const found: DeadLetter[] = [];
    while (found.length < limit) {
      const message = await channel.basicGet({ queue: DEAD_QUEUE, noAck: false });
      if (!message) break;
      found.push(describe(message));
    }
    return found;
  } finally {
    // Closing the channel returns every unacknowledged message to the queue, in order.
    await channel.close();
  }
}

export interface ReplayResult {
  readonly replayed: number;
  /** Messages whose origin queue is unknown: left in data-dead. */
  readonly kept: number;
}

/** Sends up to `limit` dead messages back to their queue, each acked only once the broker confirmed it. */
export async function replayDeadLetters(connection: Connection, limit: number): Promise<ReplayResult> {
  const channel = await connection.acquire();
  const returned = new Set<string>();
  const publisher = connection.createPublisher({
    confirm: true,
    onReturn: (message) => returned.add(message.messageId ?? ''),
  });
  let replayed = 0;
  let kept = 0;
  try {
    while (replayed + kept < limit) {
      const message = await channel.basicGet({ queue: DEAD_QUEUE, noAck: false });
      if (!message) break;
      const queue = originQueueOf(message);
      if (queue === null) {
        kept++;
        continue;
      }
      const headers = { ...message.headers };
      delete headers[REASON_HEADER];
      delete headers[ORIGIN_QUEUE_HEADER];
      delete headers['x-death'];
      delete headers['x-first-death-exchange'];
      delete headers['x-first-death-queue'];
      delete headers['x-first-death-reason'];
      delete headers['x-last-death-exchange'];
      delete headers['x-last-death-queue'];
      delete headers['x-last-death-reason'];
      // data-dead's own count of its deliveries of the message (see DELIVERY_LIMIT_REASON).
      delete headers['x-delivery-count'];
      const messageId = message.messageId ?? `replay.${message.deliveryTag}`;
      // The default exchange routes by queue name: the message goes back to its own queue only.
      await publisher.send(
        {
          exchange: '',
          routingKey: queue,
          durable: true,
          mandatory: true,
          contentType: message.contentType,
          contentEncoding: message.contentEncoding,
          timestamp: message.timestamp,
          messageId,
          headers,
        },
        bodyBytesOf(message),
      );
      if (returned.delete(messageId)) {
        // The queue is gone: leave the message in data-dead (unacked, it returns there on close).
        kept++;
        continue;
      }
      channel.basicAck({ deliveryTag: message.deliveryTag });
      replayed++;
    }
    return { replayed, kept };
  } finally {
    await publisher.close();
    await channel.close();
  }
}

function describe(message: SyncMessage): DeadLetter {
  const body = bodyBytesOf(message);
  let lines: number | null = null;
  let source: string | null = null;
  let undecodable: string | null = null;
  try {
    const batch = readLineBatch(body);
    lines = batch.lineCount;
    source = batch.source;
  } catch (error) {
    undecodable = messageOf(error);
  }
  const death = firstDeath(message);
  const reason =
    stringHeader(message, REASON_HEADER) ??
    (death?.reason === 'delivery_limit'
      ? DELIVERY_LIMIT_REASON
      : death?.reason
        ? `dead-lettered by RabbitMQ: ${death.reason}`
        : (undecodable ?? 'unknown'));
  return {
    messageId: message.messageId ?? null,
    queue: originQueueOf(message),
    routingKey: message.routingKey,
    reason,
    lines,
    source,
    bytes: body.length,
  };
}

/**
 * Why the broker dead-lettered a message at its delivery limit. The exact number of deliveries is not
 * in the dead copy: `x-death`'s count is the number of times it was dead-lettered, and the
 * `x-delivery-count` it carries is data-dead's own (0 at its first delivery from there). A quorum
 * queue dead-letters a message when a return would take its count past the limit, so it was handed
 * out at least limit + 1 times: exactly that on RabbitMQ 3.x, where every return counts, more on
 * versions that count only some returns (4.3 counts a basic.reject, not a basic.nack).
 */
const DELIVERY_LIMIT_REASON = `delivered at least ${DELIVERY_LIMIT + 1} times without success (delivery limit ${DELIVERY_LIMIT})`;

function originQueueOf(message: SyncMessage): string | null {
  const queue = stringHeader(message, ORIGIN_QUEUE_HEADER) ?? firstDeath(message)?.queue ?? null;
  return queue === RAW_QUEUE || queue === CLEAN_QUEUE ? queue : null;
}

function stringHeader(message: SyncMessage, name: string): string | undefined {
  const value: unknown = message.headers?.[name];
  return typeof value === 'string' ? value : undefined;
}

function firstDeath(message: SyncMessage): DeathRecord | undefined {
  const deaths: unknown = message.headers?.['x-death'];
  return Array.isArray(deaths) && deaths.length > 0 ? (deaths[0] as DeathRecord) : undefined;
}
