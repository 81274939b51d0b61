/**
 * The data-dead queue, for operators: list what is there and why, and replay it once the cause is
 * fixed. A message lands there when it can never be processed (undecodable, or rows the database
 * refuses: reason in `x-lograbbit-reason`), or when the broker gave up after `DELIVERY_LIMIT`
 * deliveries (reason in `x-death`). Replay sends a message back to the one queue it came from, so the
 * other queue does not see it twice.
 */
import type { Connection, SyncMessage } from 'rabbitmq-client';
import { messageOf } from '../errors.js';
import { readLineBatch } from './codec.js';
import { ORIGIN_QUEUE_HEADER, REASON_HEADER } from './consumer.js';
import { CLEAN_QUEUE, DEAD_QUEUE, RAW_QUEUE } from './topology.js';

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

interface DeathRecord {
  readonly reason?: string;
  readonly queue?: string;
  readonly count?: number;
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
      const messageId = message.messageId ?? `replay.${message.deliveryTag}`;
      // The default exchange routes by queue name: the message goes back to its own queue only.
      await publisher.send(
        {
          exchange: '',
          routingKey: queue,
          durable: true,
          mandatory: true,
          contentType: message.contentType,
          messageId,
          headers,
        },
        message.body,
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
  const body = Buffer.isBuffer(message.body) ? message.body : Buffer.from(String(message.body));
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
      ? `delivered ${death.count ?? 'too many'} times without success (delivery limit)`
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
