/**
 * Consumes line batches from one queue with manual acknowledgements. The handler *returns* what
 * happened to the batch instead of acking itself: `ack` once its rows are committed, `requeue` to try
 * again later, or `dead` with a reason, which moves the message to `data-dead` (reason in the
 * `x-lograbbit-reason` header) before it is acked. A message that cannot be decoded is dead at once.
 * Up to `prefetch` messages are handled at a time, so the handler can batch rows across messages.
 */
import { ConsumerStatus } from 'rabbitmq-client';
import type { AsyncMessage, Connection, Consumer } from 'rabbitmq-client';
import type { Logger } from 'pino';
import { PoisonMessageError, messageOf } from '../errors.js';
import { readLineBatch } from './codec.js';
import type { ReceivedLineBatch } from './codec.js';
import { BINDINGS, DEAD_LETTER_EXCHANGE, DEAD_QUEUE, EXCHANGES, queueDeclarationOf } from './topology.js';

export type BatchOutcome =
  | { readonly outcome: 'ack' }
  | { readonly outcome: 'requeue' }
  | { readonly outcome: 'dead'; readonly reason: string };

export type BatchHandler = (batch: ReceivedLineBatch) => Promise<BatchOutcome>;

export interface LineConsumerOptions {
  readonly queue: string;
  /** Unacknowledged messages held at once; also how many the handler sees concurrently. */
  readonly prefetch: number;
  /** Declare the queue, its exchange and binding before consuming and after every reconnect (default true). */
  readonly declare?: boolean;
  readonly log: Logger;
  /** Called once per message as it is settled, with the lines it held (0 if undecodable): for metrics. */
  readonly onSettled?: (outcome: BatchOutcome['outcome'], lines: number) => void;
}

export interface LineConsumer {
  /** Messages received and not yet settled. */
  readonly inFlight: number;
  /** Messages this consumer moved to data-dead. */
  readonly deadLettered: number;
  /** Stops taking messages, lets the ones in hand finish, then closes the channel. */
  close(): Promise<void>;
}

export const REASON_HEADER = 'x-lograbbit-reason';
export const ORIGIN_QUEUE_HEADER = 'x-lograbbit-queue';

export function consumeLineBatches(
  connection: Connection,
  options: LineConsumerOptions,
  handler: BatchHandler,
): LineConsumer {
  const { queue, log } = options;
  // Declares data-dead and its binding too, so that a dead message never goes into a void.
  const declare = options.declare !== false;
  const deadLetters = connection.createPublisher({
    confirm: true,
    maxAttempts: 3,
    ...(declare
      ? {
          exchanges: [...EXCHANGES],
          queues: [queueDeclarationOf(DEAD_QUEUE)],
          queueBindings: BINDINGS.filter((binding) => binding.queue === DEAD_QUEUE),
        }
      : {}),
  });
  let inFlight = 0;
  let deadLettered = 0;

  const moveToDead = async (message: AsyncMessage, reason: string): Promise<ConsumerStatus> => {
    log.warn({ queue, reason, messageId: message.messageId }, 'message moved to data-dead');
    await deadLetters.send(
      {
        exchange: DEAD_LETTER_EXCHANGE,
        routingKey: message.routingKey,
        durable: true,
        contentType: message.contentType,
        messageId: message.messageId,
        headers: { ...message.headers, [REASON_HEADER]: reason, [ORIGIN_QUEUE_HEADER]: queue },
      },
      message.body,
    );
    deadLettered++;
    return ConsumerStatus.ACK;
  };

  const consumer: Consumer = connection.createConsumer(
    {
      queue,
      ...(declare
        ? {
            queueOptions: queueDeclarationOf(queue),
            exchanges: [...EXCHANGES],
            queueBindings: BINDINGS.filter((binding) => binding.queue === queue),
          }
        : // rabbitmq-client declares the queue in any case; passively, that only checks it exists.
          { queueOptions: { passive: true } }),
      qos: { prefetchCount: options.prefetch },
      concurrency: options.prefetch,
      requeue: true,
    },
    async (message) => {
      inFlight++;
      try {
        let batch: ReceivedLineBatch;
        try {
          batch = readLineBatch(asBuffer(message.body));
        } catch (error) {
          if (error instanceof PoisonMessageError) {
            const status = await moveToDead(message, error.message);
            options.onSettled?.('dead', 0);
            return status;
          }
          throw error;
        }
        const result = await handler(batch);
        if (result.outcome !== 'dead') {
          options.onSettled?.(result.outcome, batch.lineCount);
          return result.outcome === 'ack' ? ConsumerStatus.ACK : ConsumerStatus.REQUEUE;
        }
        const status = await moveToDead(message, result.reason);
        options.onSettled?.('dead', batch.lineCount);
        return status;
      } finally {
        inFlight--;
      }
    },
  );
  consumer.on('error', (error: unknown) => log.warn({ queue, error: messageOf(error) }, 'consumer error'));

  return {
    get inFlight() {
      return inFlight;
    },
    get deadLettered() {
      return deadLettered;
    },
    async close() {
      await consumer.close();
      await deadLetters.close();
    },
  };
}

function asBuffer(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  // Only a foreign producer with a JSON content type gets here; the codec will refuse it clearly.
  return Buffer.from(JSON.stringify(body) ?? '', 'utf8');
}
