/**
 * The producing half of the pipeline: inputs → line batches → RabbitMQ, with confirms. Lines are
 * read only as fast as the broker confirms them (the publisher's window), so memory stays bounded
 * whatever the input's size.
 */
import type { Logger } from 'pino';
import type { LineBatch } from '../domain/index.js';
import type { PipelineMetrics } from '../telemetry/index.js';
import { createLinePublisher } from '../broker/index.js';
import type { BrokerConnection, DeclaredTopology } from '../broker/index.js';
import { readLineBatches, readLiveBatches } from '../sources/index.js';

/** One thing to read: a file, or standard input. */
export interface ProduceInput {
  /** The source name stored with each line and used in the routing key. */
  readonly source: string;
  /** What to call it in messages: the path, or `stdin`. */
  readonly label: string;
  readonly open: () => AsyncIterable<Buffer | string>;
  /** Size in bytes when known (files), for progress. */
  readonly sizeBytes?: number;
  /** A live stream (standard input): lines waiting for their batch go out after `batchLingerMs`. */
  readonly live?: boolean;
}

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

export interface ProduceOptions {
  readonly batchLines: number;
  readonly batchBytes: number;
  readonly maxLineBytes: number;
  readonly publishWindow: number;
  /** How long lines of a live input wait for their batch to fill, in ms. */
  readonly batchLingerMs?: number;
  /**
   * The topology from `declareTopology`, declared again after every reconnect; undefined for
   * operators who separate roles (`--no-setup`): then nothing is declared.
   */
  readonly topology?: DeclaredTopology | undefined;
  /** Where the publisher reports a broker that refuses messages. */
  readonly log?: Logger;
  /** Where lines read, published, confirmed and returned are counted (per batch). */
  readonly metrics?: PipelineMetrics;
  /** Stops reading when aborted; what was read is still confirmed before returning. */
  readonly signal?: AbortSignal;
  /** Called with each batch once handed to the publisher (its event ids: which lines to wait for). */
  readonly onPublished?: (input: ProduceInput, batch: LineBatch) => void;
  /** Called as reading goes, with the input being read and the totals so far. */
  readonly onProgress?: (input: ProduceInput, bytesOfInput: number, totals: Readonly<ProduceCounts>) => void;
}

/** Publishes every line of every input; resolves once all are confirmed. */
export async function produceInputs(
  connection: BrokerConnection,
  inputs: readonly ProduceInput[],
  options: ProduceOptions,
): Promise<ProduceCounts> {
  const totals: ProduceCounts = { lines: 0, blank: 0, truncated: 0, bytes: 0, confirmed: 0, messages: 0 };
  const publisher = createLinePublisher(connection, {
    window: options.publishWindow,
    topology: options.topology,
    log: options.log,
    onConfirmed: (batch) => {
      totals.confirmed += batch.lines.length;
      totals.messages++;
      options.metrics?.confirmed(batch.lines.length);
    },
    onReturned: () => options.metrics?.returned(),
  });
  // What the metrics were last told was read, so that each batch reports only its own lines and bytes.
  const reported = { lines: 0, bytes: 0 };
  try {
    for (const input of inputs) {
      if (options.signal?.aborted) break;
      const before = { ...totals };
      const splitterOptions = {
        source: input.source,
        batchLines: options.batchLines,
        batchBytes: options.batchBytes,
        maxLineBytes: options.maxLineBytes,
      };
      const read = input.live
        ? (chunks: AsyncIterable<Buffer | string>, onCounts: Parameters<typeof readLineBatches>[2]) =>
            readLiveBatches(
              chunks,
              { ...splitterOptions, batchLingerMs: options.batchLingerMs ?? 20 },
              onCounts,
            )
        : (chunks: AsyncIterable<Buffer | string>, onCounts: Parameters<typeof readLineBatches>[2]) =>
            readLineBatches(chunks, splitterOptions, onCounts);
      const batches = read(input.open(), (counts) => {
        totals.lines = before.lines + counts.lines;
        totals.blank = before.blank + counts.blank;
        totals.truncated = before.truncated + counts.truncated;
        totals.bytes = before.bytes + counts.bytes;
        options.onProgress?.(input, counts.bytes, totals);
      });
      for await (const batch of batches) {
        if (options.metrics) {
          options.metrics.linesRead(totals.lines - reported.lines, totals.bytes - reported.bytes);
          reported.lines = totals.lines;
          reported.bytes = totals.bytes;
          options.metrics.published(batch.lines.length);
        }
        await publisher.publish(batch);
        options.onPublished?.(input, batch);
        if (options.signal?.aborted) break;
      }
    }
    await publisher.flush();
  } finally {
    await publisher.close();
  }
  return totals;
}
