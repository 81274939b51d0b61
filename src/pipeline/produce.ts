/**
 * The producing half of the pipeline: inputs → line batches → RabbitMQ, with confirms. Lines are
 * read only as fast as the broker confirms them (the publisher's window), so memory stays bounded
 * whatever the input's size.
 */
import { createLinePublisher } from '../broker/index.js';
import type { BrokerConnection } from '../broker/index.js';
import { readLineBatches } from '../sources/index.js';

/** One thing to read: a file, or standard input. */
export interface ProduceInput {
  /** The source name stored with each line and used in the routing key. */
  readonly source: string;
  /** What to call it in messages: the path, or `stdin`. */
  readonly label: string;
  readonly open: () => AsyncIterable<Buffer | string>;
  /** Size in bytes when known (files), for progress. */
  readonly sizeBytes?: number;
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
  /** Declare the topology before publishing (default true). */
  readonly declare?: boolean;
  /** Stops reading when aborted; what was read is still confirmed before returning. */
  readonly signal?: AbortSignal;
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
    declare: options.declare,
    onConfirmed: (batch) => {
      totals.confirmed += batch.lines.length;
      totals.messages++;
    },
  });
  try {
    for (const input of inputs) {
      if (options.signal?.aborted) break;
      const before = { ...totals };
      const batches = readLineBatches(
        input.open(),
        {
          source: input.source,
          batchLines: options.batchLines,
          batchBytes: options.batchBytes,
          maxLineBytes: options.maxLineBytes,
        },
        (counts) => {
          totals.lines = before.lines + counts.lines;
          totals.blank = before.blank + counts.blank;
          totals.truncated = before.truncated + counts.truncated;
          totals.bytes = before.bytes + counts.bytes;
          options.onProgress?.(input, counts.bytes, totals);
        },
      );
      for await (const batch of batches) {
        await publisher.publish(batch);
        if (options.signal?.aborted) break;
      }
    }
    await publisher.flush();
  } finally {
    await publisher.close();
  }
  return totals;
}
