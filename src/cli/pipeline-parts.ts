/** The producing and consuming halves as the subcommands run them, with progress and tuning applied. */
import type { BrokerConnection } from '../broker/index.js';
import type { Store } from '../store/index.js';
import { produceInputs, startConsumers } from '../pipeline/index.js';
import type { ProduceCounts, ProduceInput, QueueRole, RunningConsumers } from '../pipeline/index.js';
import type { CommandContext, formatOption } from './context.js';
import { createProgressLine } from './progress.js';

/** Publishes every input, with a progress line on a terminal unless `progress` is false. */
export async function produceWithProgress(
  context: CommandContext,
  broker: BrokerConnection,
  inputs: readonly ProduceInput[],
  options: { readonly progress: boolean; readonly declare: boolean },
): Promise<ProduceCounts> {
  const progress = createProgressLine(options.progress);
  const { tuning } = context.config;
  try {
    return await produceInputs(broker, inputs, {
      batchLines: tuning.batchLines,
      batchBytes: tuning.batchBytes,
      maxLineBytes: tuning.maxLineBytes,
      publishWindow: tuning.publishWindow,
      declare: options.declare,
      signal: context.signal,
      onProgress: (input, bytes, totals) =>
        progress.update(input.label, bytes, input.sizeBytes, totals.lines),
    });
  } finally {
    progress.clear();
  }
}

/** Starts the consumers of `roles` with the configured tuning. */
export function startPipelineConsumers(
  context: CommandContext,
  broker: BrokerConnection,
  store: Store,
  options: {
    readonly roles: readonly QueueRole[];
    readonly format: ReturnType<typeof formatOption>;
    readonly declare: boolean;
  },
): RunningConsumers {
  const { tuning } = context.config;
  return startConsumers(broker, store.db, {
    roles: options.roles,
    format: options.format,
    prefetch: tuning.prefetch,
    writeBatchRows: tuning.writeBatchRows,
    flushIntervalMs: tuning.flushIntervalMs,
    declare: options.declare,
    log: context.log,
  });
}
