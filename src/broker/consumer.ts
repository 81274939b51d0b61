/**
 * Consumes line batches from one queue with manual acknowledgements. The handler *returns* what
 * happened to the batch instead of acking itself: `ack` once its rows are committed, `requeue` to try
 * again later, or `dead` with a reason, which moves the message to `data-dead` (reason in the
 * `x-lograbbit-reason` header) before it is acked. A message that cannot be decoded is dead at once.
 *
 * Up to `prefetch` messages are handled at a time, so the handler can batch rows across messages, and
 * about `maxBytesHeld` bytes of them: the AMQP prefetch count is made from the sizes of the messages
 * seen (prefetch.ts), and changed by subscribing again (rabbitmq-client's Consumer cannot change its
 * QoS in place, and RabbitMQ applies a new count only to a new subscription). The subscription being
 * replaced finishes the messages in hand first; what it had not started is redelivered.
 */
import { AMQPChannelError, AMQPError, ConsumerStatus } from 'rabbitmq-client';
import type { AsyncMessage, Connection, Consumer } from 'rabbitmq-client';
import type { Logger } from 'pino';
import { PoisonMessageError, messageOf } from '../errors.js';
import { bodyBytesOf } from './body.js';
import { settledWithin } from '../deadline.js';
import { readLineBatch } from './codec.js';
import type { ReceivedLineBatch } from './codec.js';
import { nextPrefetchCount, prefetchCountFor } from './prefetch.js';
import type { PrefetchLimits } from './prefetch.js';
import { BINDINGS, DEAD_LETTER_EXCHANGE, DEAD_QUEUE, EXCHANGES, queueDeclarationIn } from './topology.js';
import type { DeclaredTopology } from './topology.js';

export type BatchOutcome =
  | { readonly outcome: 'ack' }
  | { readonly outcome: 'requeue' }
  | { readonly outcome: 'dead'; readonly reason: string };

export type BatchHandler = (batch: ReceivedLineBatch) => Promise<BatchOutcome>;

export interface LineConsumerOptions {
  readonly queue: string;
  /** Unacknowledged messages held at once, at most; also how many the handler sees concurrently. */
  readonly prefetch: number;
  /**
   * Bytes of message bodies held at once (received and not settled), about: fewer messages are taken
   * when they are large (default `CONSUMER_HELD_BYTES`). A single larger message is still taken, alone.
   */
  readonly maxBytesHeld?: number;
  /**
   * The topology whose queue, exchange and binding to declare before consuming and after every
   * reconnect, as `declareTopology` settled it; without it, the queue is only checked to exist.
   */
  readonly topology?: DeclaredTopology | undefined;
  readonly log: Logger;
  /** Called once per message as it is settled, with the lines it held (0 if undecodable): for metrics. */
  readonly onSettled?: (outcome: BatchOutcome['outcome'], lines: number) => void;
}

export interface LineConsumer {
  /** Messages received and not yet settled. */
  readonly inFlight: number;
  /** Bytes of the message bodies received and not yet settled. */
  readonly inFlightBytes: number;
  /** The most bytes of message bodies held at once since the start. */
  readonly peakInFlightBytes: number;
  /** Messages this consumer moved to data-dead. */
  readonly deadLettered: number;
  /** Stops taking messages, lets the ones in hand finish, then closes the channel. */
  close(): Promise<void>;
}

export const REASON_HEADER = 'x-lograbbit-reason';
export const ORIGIN_QUEUE_HEADER = 'x-lograbbit-queue';

/**
 * Bytes of message bodies a consumer holds at once, by default, per queue: 100 messages of ordinary
 * lines (tens of kB each) fit, so their throughput is unchanged, while 1 MiB messages of wide lines
 * are taken about 25 at a time instead of 100, and messages of one 16 MiB line one at a time.
 */
export const CONSUMER_HELD_BYTES = 32 * 1024 * 1024;

export function consumeLineBatches(
  connection: Connection,
  options: LineConsumerOptions,
  handler: BatchHandler,
): LineConsumer {
  const { queue, log } = options;
  // Declares data-dead and its binding too, so that a dead message never goes into a void.
  const { topology } = options;
  const deadLetters = connection.createPublisher({
    confirm: true,
    maxAttempts: 3,
    ...(topology
      ? {
          exchanges: [...EXCHANGES],
          queues: [queueDeclarationIn(topology, DEAD_QUEUE)],
          queueBindings: BINDINGS.filter((binding) => binding.queue === DEAD_QUEUE),
        }
      : {}),
  });
  const limits: PrefetchLimits = {
    budgetBytes: options.maxBytesHeld ?? CONSUMER_HELD_BYTES,
    maxCount: options.prefetch,
  };
  let inFlight = 0;
  let inFlightBytes = 0;
  let peakInFlightBytes = 0;
  let deadLettered = 0;
  let closing = false;

  const moveToDead = async (message: AsyncMessage, body: Buffer, reason: string): Promise<ConsumerStatus> => {
    log.warn({ queue, reason, messageId: message.messageId }, 'message moved to data-dead');
    await deadLetters.send(
      {
        exchange: DEAD_LETTER_EXCHANGE,
        routingKey: message.routingKey,
        durable: true,
        contentType: message.contentType,
        contentEncoding: message.contentEncoding,
        timestamp: message.timestamp,
        messageId: message.messageId,
        headers: { ...message.headers, [REASON_HEADER]: reason, [ORIGIN_QUEUE_HEADER]: queue },
      },
      body,
    );
    deadLettered++;
    return ConsumerStatus.ACK;
  };

  const settle = async (message: AsyncMessage, body: Buffer): Promise<ConsumerStatus> => {
    let batch: ReceivedLineBatch;
    try {
      batch = readLineBatch(body);
    } catch (error) {
      if (error instanceof PoisonMessageError) {
        const status = await moveToDead(message, body, error.message);
        options.onSettled?.('dead', 0);
        return status;
      }
      throw error;
    }
    let result: BatchOutcome;
    try {
      result = await handler(batch);
    } finally {
      batch.release();
    }
    if (result.outcome !== 'dead') {
      options.onSettled?.(result.outcome, batch.lineCount);
      return result.outcome === 'ack' ? ConsumerStatus.ACK : ConsumerStatus.REQUEUE;
    }
    const status = await moveToDead(message, body, result.reason);
    options.onSettled?.('dead', batch.lineCount);
    return status;
  };

  // An ack or nack refused because the channel is gone is a consequence, not news: the broker
  // redelivers the message, the connection says an outage once, and a channel that the broker
  // closes emits its reason as an error of its own.
  const reportError = (error: unknown): void => {
    // A write to a socket the broker has just dropped fails (EPIPE, ECONNRESET; Node's "socket has
    // been ended by the other party" carries EPIPE as its code only) before the connection knows it
    // is down: one error per ack in hand, each a consequence too.
    const code = (error as { code?: unknown } | null)?.code;
    const socketGone =
      /\b(EPIPE|ECONNRESET|ETIMEDOUT)\b/.test(messageOf(error)) ||
      /socket has been ended by the other party/.test(messageOf(error)) ||
      code === 'EPIPE' ||
      code === 'ECONNRESET' ||
      code === 'ETIMEDOUT';
    const consequence =
      (error instanceof AMQPChannelError && error.code === 'CH_CLOSE') ||
      (!connection.ready && error instanceof AMQPError) ||
      socketGone;
    if (consequence)
      log.debug({ queue, error: messageOf(error) }, 'consumer error while its channel is down');
    else log.warn({ queue, error: messageOf(error) }, 'consumer error');
  };

  /** The current subscription: its prefetch count, and the messages it received. */
  let subscription = { count: prefetchCountFor(limits, 0), largestBytes: 0, received: 0 };
  let changing: Promise<void> | undefined;

  const subscribe = (count: number): Consumer => {
    subscription = { count, largestBytes: 0, received: 0 };
    const created = connection.createConsumer(
      {
        queue,
        ...(topology
          ? {
              queueOptions: queueDeclarationIn(topology, queue),
              exchanges: [...EXCHANGES],
              queueBindings: BINDINGS.filter((binding) => binding.queue === queue),
            }
          : // rabbitmq-client declares the queue in any case; passively, that only checks it exists.
            { queueOptions: { passive: true } }),
        qos: { prefetchCount: count },
        concurrency: count,
        requeue: true,
      },
      onMessage,
    );
    created.on('error', reportError);
    return created;
  };

  const resubscribe = async (count: number): Promise<void> => {
    log.debug(
      { queue, from: subscription.count, to: count, largestBytes: subscription.largestBytes },
      'prefetch count changed to hold the bytes of messages within the budget',
    );
    try {
      await consumer.close();
    } catch (error) {
      // Closing a channel that an outage already closed: what it held is redelivered in any case.
      log.debug({ queue, error: messageOf(error) }, 'closing the previous subscription failed');
    }
    if (!closing) consumer = subscribe(count);
    changing = undefined;
  };

  async function onMessage(message: AsyncMessage): Promise<ConsumerStatus> {
    const body = bodyBytesOf(message);
    const bytes = body.length;
    inFlight++;
    inFlightBytes += bytes;
    peakInFlightBytes = Math.max(peakInFlightBytes, inFlightBytes);
    subscription.received++;
    subscription.largestBytes = Math.max(subscription.largestBytes, bytes);
    const next = nextPrefetchCount(limits, subscription);
    if (next !== undefined && changing === undefined && !closing) changing = resubscribe(next);
    try {
      return await settle(message, body);
    } finally {
      inFlight--;
      inFlightBytes -= bytes;
      // The library acks by delivery tag only. Its message object lives from delivery to commit,
      // long enough for V8 to allocate such objects in its old space (allocation-site pretenuring),
      // where a dead one would keep its body until a full collection (bench/RESULTS.md, issue 18).
      (message as { body: unknown }).body = undefined;
    }
  }

  let consumer: Consumer = subscribe(subscription.count);

  return {
    get inFlight() {
      return inFlight;
    },
    get inFlightBytes() {
      return inFlightBytes;
    },
    get peakInFlightBytes() {
      return peakInFlightBytes;
    },
    get deadLettered() {
      return deadLettered;
    },
    async close() {
      closing = true;
      const subscriptionClosed = (async (): Promise<void> => {
        await changing;
        await consumer.close();
      })();
      // Shutdown must end: right after a reconnect the broker may leave a cancel unanswered. What a
      // subscription still holds unacknowledged is redelivered once the connection closes, so going
      // on loses nothing.
      if ((await settledWithin(subscriptionClosed, CLOSE_DEADLINE_MS)).outcome === 'late') {
        log.warn(
          { queue, deadlineMs: CLOSE_DEADLINE_MS },
          'the subscription did not close in time; going on (what it holds unacknowledged is redelivered)',
        );
      }
      if ((await settledWithin(deadLetters.close(), CLOSE_DEADLINE_MS)).outcome === 'late') {
        log.warn(
          { queue, deadlineMs: CLOSE_DEADLINE_MS },
          'the dead-letter publisher did not close in time; going on',
        );
      }
      log.debug({ queue, peakBytesHeld: peakInFlightBytes }, 'consumer closed');
    },
  };
}

/** How long closing a subscription or the dead-letter publisher may take at shutdown, in ms. */
const CLOSE_DEADLINE_MS = 10_000;
