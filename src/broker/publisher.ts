/**
 * Publishes line batches to the `weblogs` exchange with publisher confirms. A batch counts as sent
 * only once the broker has confirmed it (so it is on disk in both quorum queues); `mandatory` turns a
 * message that no queue would take into an error instead of a silent loss. At most `window` batches
 * await their confirm at once: when the window is full, `publish` waits, and that wait is the
 * backpressure that slows the source down instead of buffering without bound.
 */
import type { Connection, ReturnedMessage } from 'rabbitmq-client';
import type { LineBatch } from '../domain/index.js';
import { LograbbitError } from '../errors.js';
import { encodeLineBatch } from './codec.js';
import { BINDINGS, EXCHANGE, EXCHANGES, LINE_BATCH_CONTENT_TYPE, QUEUES, routingKeyOf } from './topology.js';

export interface LinePublisherOptions {
  /** Batches awaiting their confirm at once. */
  readonly window: number;
  /** Called once per batch, after the broker confirmed it. */
  readonly onConfirmed?: (batch: LineBatch) => void;
  /** Declare the topology before publishing and after every reconnect (default true). */
  readonly declare?: boolean;
}

export interface LinePublisher {
  /** Sends a batch; resolves when the window has room again (not when the batch is confirmed). */
  publish(batch: LineBatch): Promise<void>;
  /** Resolves once every batch sent so far is confirmed; rejects if one failed for good. */
  flush(): Promise<void>;
  /** Flushes, then closes the channel. */
  close(): Promise<void>;
}

/** Publish attempts across reconnects before a batch is given up (the broker is retried meanwhile). */
const MAX_PUBLISH_ATTEMPTS = 1000;

export function createLinePublisher(connection: Connection, options: LinePublisherOptions): LinePublisher {
  const returned = new Set<string>();
  const publisher = connection.createPublisher({
    confirm: true,
    maxAttempts: MAX_PUBLISH_ATTEMPTS,
    ...(options.declare === false
      ? {}
      : { exchanges: [...EXCHANGES], queues: [...QUEUES], queueBindings: [...BINDINGS] }),
    onReturn: (message: ReturnedMessage) => {
      if (message.messageId !== undefined) returned.add(message.messageId);
    },
  });

  let nextId = 0;
  let inFlight = 0;
  let failure: LograbbitError | undefined;
  let waiters: Array<() => void> = [];
  const wake = (): void => {
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };

  const send = async (batch: LineBatch): Promise<void> => {
    const messageId = String(nextId++);
    try {
      await publisher.send(
        {
          exchange: EXCHANGE,
          routingKey: routingKeyOf(batch.source),
          mandatory: true,
          durable: true,
          messageId,
          contentType: LINE_BATCH_CONTENT_TYPE,
          timestamp: Math.floor(batch.readAtMs / 1000),
        },
        encodeLineBatch(batch),
      );
      if (returned.delete(messageId)) {
        throw new LograbbitError(
          'LR_MESSAGE_UNROUTABLE',
          `RabbitMQ returned a message of ${batch.source}: no queue is bound to exchange ${EXCHANGE}; run \`lograbbit setup\``,
        );
      }
      options.onConfirmed?.(batch);
    } catch (error) {
      failure ??=
        error instanceof LograbbitError
          ? error
          : new LograbbitError('LR_BROKER_UNAVAILABLE', `publishing to RabbitMQ failed: ${String(error)}`, {
              cause: error,
            });
    } finally {
      inFlight--;
      wake();
    }
  };

  const waitUntil = async (condition: () => boolean): Promise<void> => {
    while (!condition() && failure === undefined) {
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    if (failure) throw failure;
  };

  return {
    async publish(batch) {
      if (failure) throw failure;
      inFlight++;
      void send(batch);
      await waitUntil(() => inFlight < options.window);
    },
    flush: () => waitUntil(() => inFlight === 0),
    async close() {
      try {
        await waitUntil(() => inFlight === 0);
      } finally {
        await publisher.close();
      }
    },
  };
}
