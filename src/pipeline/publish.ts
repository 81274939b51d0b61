/**
 * The producing half of the pipeline, one loop for every source: take a batch from the source, hand
 * it to the publisher, repeat; then wait for the last confirm. The publisher's window makes `publish`
 * wait while too much is unconfirmed, so a source is read only as fast as RabbitMQ confirms and memory
 * stays bounded whatever its size. Each confirm is handed back to the source it came from (the
 * follower moves its checkpoints there).
 */
import type { Logger } from 'pino';
import type { LineBatch } from '../domain/index.js';
import { createLinePublisher } from '../broker/index.js';
import type { BrokerConnection, DeclaredTopology } from '../broker/index.js';
import type { Source } from '../sources/index.js';
import type { PipelineMetrics } from '../telemetry/index.js';

/** What the loop needs of a publisher: the broker's (`createLinePublisher`), or a fake in tests. */
export interface BatchPublisher {
  /** Sends a batch; resolves when there is room for the next (not when this one is confirmed). */
  publish(batch: LineBatch): Promise<void>;
  /** Resolves once every batch sent is confirmed. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Opens a publisher that calls `confirmed` once per batch the broker confirmed. */
export type OpenPublisher = (confirmed: (batch: LineBatch) => void) => BatchPublisher;

export interface ProduceCounts {
  /** Non-blank lines read. */
  lines: number;
  blank: number;
  truncated: number;
  bytes: number;
  /** Lines the broker confirmed: these are safe, whatever happens next. */
  confirmed: number;
  messages: number;
}

export interface PublishOptions {
  /** Where lines read, published and confirmed are counted (per batch). */
  readonly metrics?: PipelineMetrics;
  /**
   * Stops taking batches when aborted; what was taken is still confirmed. A live source (the
   * follower) is stopped through its own signal instead, to hand out the lines it holds first.
   */
  readonly signal?: AbortSignal;
  /** Called with each batch once handed to the publisher (its event ids: which lines to wait for). */
  readonly onPublished?: (source: Source, batch: LineBatch) => void;
  /** Called after each confirm. */
  readonly onConfirmed?: (batch: LineBatch) => void;
  /** Called as reading goes, with the source being read and the totals so far. */
  readonly onProgress?: (source: Source, totals: Readonly<ProduceCounts>) => void;
}

export interface Publishing {
  /** Totals so far: what the sources read, and what the broker confirmed. */
  readonly counts: Readonly<ProduceCounts>;
  /** Resolves once every source ended, every batch is confirmed and every source closed. */
  readonly done: Promise<ProduceCounts>;
}

/** Publishes the sources one after the other; see `Publishing`. */
export function publishBatches(
  sources: readonly Source[],
  openPublisher: OpenPublisher,
  options: PublishOptions = {},
): Publishing {
  const loop = new PublishLoop(sources, options);
  return { counts: loop.counts, done: loop.run(openPublisher) };
}

/** The broker's publisher with the configured window and topology, for `publishBatches`. */
export function brokerPublisher(
  connection: BrokerConnection,
  options: {
    readonly publishWindow: number;
    /** From `declareTopology`, declared again after every reconnect; undefined with `--no-setup`. */
    readonly topology: DeclaredTopology | undefined;
    /** Where the publisher reports a broker that refuses messages. */
    readonly log?: Logger;
    /** Where returned (unroutable) messages are counted. */
    readonly metrics?: PipelineMetrics;
  },
): OpenPublisher {
  const metrics = options.metrics;
  return (confirmed) =>
    createLinePublisher(connection, {
      window: options.publishWindow,
      topology: options.topology,
      log: options.log,
      onConfirmed: confirmed,
      onReturned: metrics ? () => metrics.returned() : undefined,
    });
}

class PublishLoop {
  readonly counts: ProduceCounts = { lines: 0, blank: 0, truncated: 0, bytes: 0, confirmed: 0, messages: 0 };
  /** The source of each batch awaiting its confirm, for sources that want to hear of it. */
  private readonly sourceOf = new WeakMap<LineBatch, Source>();

  constructor(
    private readonly sources: readonly Source[],
    private readonly options: PublishOptions,
  ) {}

  async run(openPublisher: OpenPublisher): Promise<ProduceCounts> {
    const { metrics } = this.options;
    try {
      const publisher = openPublisher((batch) => this.confirmed(batch));
      try {
        for (const source of this.sources) {
          if (this.options.signal?.aborted) break;
          if (metrics) source.watchLosses?.(metrics.followLost.bind(metrics));
          await this.publishSource(source, publisher);
        }
        await publisher.flush();
      } finally {
        await publisher.close();
      }
    } finally {
      for (const source of this.sources) await source.close?.();
    }
    return this.counts;
  }

  private async publishSource(source: Source, publisher: BatchPublisher): Promise<void> {
    const { metrics, signal } = this.options;
    const before = { ...this.counts };
    // What the metrics were last told this source read, so that each batch reports only its own.
    const reported = { lines: 0, bytes: 0 };
    for await (const batch of source.batches()) {
      this.addRead(before, source);
      if (metrics) {
        const read = source.counts;
        metrics.linesRead(read.lines - reported.lines, read.bytes - reported.bytes);
        reported.lines = read.lines;
        reported.bytes = read.bytes;
        metrics.published(batch.lines.length);
      }
      if (source.confirm) this.sourceOf.set(batch, source);
      await publisher.publish(batch);
      this.options.onPublished?.(source, batch);
      this.options.onProgress?.(source, this.counts);
      if (signal?.aborted) break;
    }
    this.addRead(before, source);
    this.options.onProgress?.(source, this.counts);
  }

  /** The totals: those before `source`, plus what it read so far. */
  private addRead(before: Readonly<ProduceCounts>, source: Source): void {
    const read = source.counts;
    this.counts.lines = before.lines + read.lines;
    this.counts.blank = before.blank + read.blank;
    this.counts.truncated = before.truncated + read.truncated;
    this.counts.bytes = before.bytes + read.bytes;
  }

  private confirmed(batch: LineBatch): void {
    this.counts.confirmed += batch.lines.length;
    this.counts.messages++;
    this.options.metrics?.confirmed(batch.lines.length);
    const source = this.sourceOf.get(batch);
    if (source) {
      this.sourceOf.delete(batch);
      source.confirm?.(batch);
    }
    this.options.onConfirmed?.(batch);
  }
}
