/**
 * The live producing half: a source that never ends by itself (followed files, a live stream, the
 * simulator) → RabbitMQ, with confirms. Each confirmed batch is handed back to the source, which moves
 * its checkpoints; the source is read only as fast as the broker confirms (the publisher's window).
 */
import type { Logger } from 'pino';
import type { LineBatch } from '../domain/index.js';
import { createLinePublisher } from '../broker/index.js';
import type { BrokerConnection, DeclaredTopology } from '../broker/index.js';
import type { PipelineMetrics } from '../telemetry/index.js';

/** Batches until stopped; told of each confirm; closed after the last confirm. */
export interface LiveSource extends AsyncIterable<LineBatch> {
  confirm?(batch: LineBatch): void;
  /** Tells the source where to report bytes it can no longer read (see `FileFollower.watchLosses`). */
  watchLosses?(record: (bytes: number) => void): void;
  close?(): Promise<void>;
}

export interface LiveCounts {
  /** Lines handed to the publisher, and lines the broker confirmed. */
  published: number;
  confirmed: number;
  messages: number;
  /** `readAtMs` of the last confirmed batch: how far behind the broker is. */
  lastConfirmedReadAtMs: number | undefined;
}

export interface PublishLiveOptions {
  readonly publishWindow: number;
  /**
   * The topology from `declareTopology`, declared again after every reconnect; undefined for
   * operators who separate roles (`--no-setup`): then nothing is declared.
   */
  readonly topology?: DeclaredTopology | undefined;
  readonly log?: Logger;
  /** Called after each confirm (status line). */
  readonly onConfirmed?: (batch: LineBatch) => void;
  /** Where lines read, published and confirmed are counted (per batch). */
  readonly metrics?: PipelineMetrics;
}

export interface LivePublishing {
  readonly counts: Readonly<LiveCounts>;
  /** Resolves once the source ended (it was stopped), every batch is confirmed and the source closed. */
  readonly done: Promise<void>;
}

/** Starts publishing `source`; stop it through the source (its abort signal). */
export function publishLive(
  connection: BrokerConnection,
  source: LiveSource,
  options: PublishLiveOptions,
): LivePublishing {
  const counts: LiveCounts = { published: 0, confirmed: 0, messages: 0, lastConfirmedReadAtMs: undefined };
  const publisher = createLinePublisher(connection, {
    window: options.publishWindow,
    topology: options.topology,
    log: options.log,
    onConfirmed: (batch) => {
      counts.confirmed += batch.lines.length;
      counts.messages++;
      counts.lastConfirmedReadAtMs = Math.max(counts.lastConfirmedReadAtMs ?? 0, batch.readAtMs);
      options.metrics?.confirmed(batch.lines.length);
      source.confirm?.(batch);
      options.onConfirmed?.(batch);
    },
  });
  if (options.metrics) source.watchLosses?.(options.metrics.followLost.bind(options.metrics));
  const run = async (): Promise<void> => {
    try {
      try {
        for await (const batch of source) {
          if (options.metrics) {
            const bytes = batch.lines.reduce((sum, line) => sum + line.bytes.length, 0);
            options.metrics.linesRead(batch.lines.length, bytes);
            options.metrics.published(batch.lines.length);
          }
          await publisher.publish(batch);
          counts.published += batch.lines.length;
        }
        await publisher.flush();
      } finally {
        await publisher.close();
      }
    } finally {
      await source.close?.();
    }
  };
  return { counts, done: run() };
}
