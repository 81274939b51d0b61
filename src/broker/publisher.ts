/**
 * Publishes line batches to the `weblogs` exchange with publisher confirms. A batch counts as sent
 * only once the broker has confirmed it (so it is in both quorum queues); `mandatory` turns a message
 * that no queue would take into an error instead of a silent loss. At most `window` batches, and
 * about `windowBytes` bytes of message bodies, await their confirm at once: when the window is full,
 * `publish` waits, and that wait is the backpressure that slows the source down instead of buffering
 * without bound. The byte bound is what holds memory down when lines are wide: a message is closed at
 * `--batch-bytes`, but a single line may make one of up to `--max-line-bytes`.
 *
 * A publish that fails because the broker is away, or that the broker refuses (a nack), is retried
 * with backoff for as long as it takes; the connection reports the outage once. A channel refused
 * everything for seconds while the connection is up is replaced by a new one. A retry may send a
 * batch twice, which the consumers' idempotent writes absorb (same event ids).
 */
import { randomUUID } from 'node:crypto';
import type { Connection, Publisher, ReturnedMessage } from 'rabbitmq-client';
import type { Logger } from 'pino';
import type { LineBatch } from '../domain/index.js';
import { LograbbitError, messageOf } from '../errors.js';
import { encodeLineBatch } from './codec.js';
import { BINDINGS, EXCHANGE, EXCHANGES, LINE_BATCH_CONTENT_TYPE, routingKeyOf } from './topology.js';
import type { DeclaredTopology } from './topology.js';

export interface LinePublisherOptions {
  /** Batches awaiting their confirm at once. */
  readonly window: number;
  /**
   * Bytes of message bodies awaiting their confirm at once, at most (default `PUBLISH_WINDOW_BYTES`);
   * a single larger message is still sent, alone.
   */
  readonly windowBytes?: number;
  /** Called once per batch, after the broker confirmed it (not always in publishing order). */
  readonly onConfirmed?: (batch: LineBatch) => void;
  /**
   * The topology to declare before publishing and after every reconnect, as `declareTopology`
   * settled it; without it, nothing is declared (operators who separate roles).
   */
  readonly topology?: DeclaredTopology | undefined;
  /** Where a refused publish is reported (once per run of refusals). */
  readonly log?: Logger;
  /** Called when the broker returns a message as unroutable: for metrics. */
  readonly onReturned?: () => void;
}

export interface LinePublisher {
  /** Sends a batch; resolves when the window has room again (not when the batch is confirmed). */
  publish(batch: LineBatch): Promise<void>;
  /** Resolves once every batch sent so far is confirmed; rejects if one failed for good. */
  flush(): Promise<void>;
  /** Batches sent and not yet confirmed. */
  readonly inFlight: number;
  /** Bytes of the message bodies sent and not yet confirmed. */
  readonly inFlightBytes: number;
  /** Flushes, then closes the channel. */
  close(): Promise<void>;
}

/**
 * Bytes of message bodies awaiting their confirm, by default: room for a window of 64 messages of
 * ordinary lines (tens of kB each), so throughput is unchanged there, while wide lines (1 MiB
 * messages, or one line of 16 MiB) no longer make the window 64 such messages. Each body is held
 * twice meanwhile (the batch's lines and its encoding).
 */
export const PUBLISH_WINDOW_BYTES = 8 * 1024 * 1024;

const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 5000;
/** Refusals on one channel, the connection up, for this long: the next try goes on a new channel. */
const RENEW_CHANNEL_AFTER_MS = 5000;

export function createLinePublisher(connection: Connection, options: LinePublisherOptions): LinePublisher {
  const returned = new Set<string>();
  const openChannel = (): Publisher =>
    connection.createPublisher({
      confirm: true,
      ...(options.topology === undefined
        ? {}
        : { exchanges: [...EXCHANGES], queues: [...options.topology.queues], queueBindings: [...BINDINGS] }),
      onReturn: (message: ReturnedMessage) => {
        if (message.messageId !== undefined) returned.add(message.messageId);
        options.onReturned?.();
      },
    });
  let publisher = openChannel();
  /** When the current run of refusals began, while the connection was up. */
  let refusedSinceMs: number | undefined;
  let renewing: Promise<void> | undefined;
  /**
   * A new channel in place of one the broker keeps refusing. Seen on a cluster: a channel opened on
   * a node while the queue leaders moved off a killed node was refused every message for as long as
   * it lived, though the queues had their new leaders within a second. The old channel is closed;
   * what it had in flight is refused and sent again on the new one.
   */
  const renewChannel = (): Promise<void> =>
    (renewing ??= (async () => {
      const refused = publisher;
      publisher = openChannel();
      refusedSinceMs = Date.now();
      options.log?.warn('RabbitMQ kept refusing messages on one channel; publishing on a new one');
      await refused.close().catch(() => undefined);
    })().finally(() => (renewing = undefined)));

  const idPrefix = randomUUID();
  let nextId = 0;
  const windowBytes = options.windowBytes ?? PUBLISH_WINDOW_BYTES;
  let inFlight = 0;
  let inFlightBytes = 0;
  let closed = false;
  let refusing = false;
  let failure: LograbbitError | undefined;
  let waiters: Array<() => void> = [];
  const wake = (): void => {
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };

  /** Publishes once; true when confirmed, false when it should be tried again. */
  const attempt = async (batch: LineBatch, body: Buffer, messageId: string): Promise<boolean> => {
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
        body,
      );
    } catch (error) {
      if (closed) throw error;
      if (!refusing && connection.ready) {
        // The connection is up, so this is the broker refusing the message (a nack), not an outage.
        options.log?.warn({ error: messageOf(error) }, 'RabbitMQ refused a message; retrying with backoff');
      }
      refusing = true;
      if (connection.ready) {
        refusedSinceMs ??= Date.now();
        if (Date.now() - refusedSinceMs >= RENEW_CHANNEL_AFTER_MS) await renewChannel();
      }
      return false;
    }
    // A returned message arrives before its confirm, so by now it is known.
    if (returned.delete(messageId)) {
      throw new LograbbitError(
        'LR_MESSAGE_UNROUTABLE',
        `RabbitMQ returned a message of ${batch.source}: no queue is bound to exchange ${EXCHANGE}; run \`lograbbit setup\``,
      );
    }
    refusing = false;
    refusedSinceMs = undefined;
    return true;
  };

  const send = async (batch: LineBatch, body: Buffer): Promise<void> => {
    const messageId = `${idPrefix}.${nextId++}`;
    try {
      for (let tries = 0; !(await attempt(batch, body, messageId)); tries++) {
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(tries, 5))),
        );
      }
      options.onConfirmed?.(batch);
    } catch (error) {
      failure ??=
        error instanceof LograbbitError
          ? error
          : new LograbbitError(
              'LR_BROKER_UNAVAILABLE',
              `publishing to RabbitMQ failed: ${messageOf(error)}`,
              {
                cause: error,
              },
            );
    } finally {
      inFlight--;
      inFlightBytes -= body.length;
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
      let body: Buffer;
      try {
        body = encodeLineBatch(batch);
      } catch (error) {
        // A batch the codec refuses (a source name over 255 bytes, too many lines) can never be sent.
        // It fails the publisher, not only this call, so that no later flush() or close() reports
        // success over lines that were never sent; and it fails before counting itself in flight.
        failure ??= new LograbbitError(
          'LR_MESSAGE_UNENCODABLE',
          `cannot publish a batch of ${batch.lines.length} lines: ${messageOf(error)}`,
          { cause: error },
        );
        throw failure;
      }
      inFlight++;
      inFlightBytes += body.length;
      // Not awaited: the window lets several batches await their confirm at once. `send` never
      // rejects: it records a failure in `failure` and always gives back its place in the window.
      void send(batch, body);
      await waitUntil(() => inFlight < options.window && inFlightBytes < windowBytes);
    },
    flush: () => waitUntil(() => inFlight === 0),
    get inFlight() {
      return inFlight;
    },
    get inFlightBytes() {
      return inFlightBytes;
    },
    async close() {
      try {
        await waitUntil(() => inFlight === 0);
      } finally {
        closed = true;
        await publisher.close();
      }
    },
  };
}
