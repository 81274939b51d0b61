/**
 * `lograbbit ingest <file or directory…>`: produce and consume in one process, until every line is
 * stored.
 */
import type { Command } from 'commander';
import { DeadLetteredError } from '../errors.js';
import { waitUntilDrained } from '../pipeline/index.js';
import { expandDirectories } from '../sources/index.js';
import type { ProduceCounts } from '../pipeline/index.js';
import { createContext, formatOption, openBroker, openDatabase, topologyOf } from './context.js';
import type { GlobalOptions } from './context.js';
import { inputsOf } from './inputs.js';
import {
  addCommonOptions,
  addConsumeOptions,
  addProduceOptions,
  consumeTuning,
  produceTuning,
} from './options.js';
import type { CommonOptionValues, ConsumeOptionValues, ProduceOptionValues } from './options.js';
import { enrichmentOf, produceWithProgress, startPipelineConsumers } from './pipeline-parts.js';
import { printReport } from './summary.js';

type IngestCommandOptions = ProduceOptionValues & ConsumeOptionValues & CommonOptionValues;

export function registerIngestCommand(program: Command, globals: () => GlobalOptions): void {
  addCommonOptions(
    addConsumeOptions(
      addProduceOptions(
        program
          .command('ingest')
          .description('produce and consume in one process: every line of the files, stored, then a summary')
          .argument(
            '<files...>',
            'access log files or directories (each file in it, by name; not hidden, compressed or in subdirectories), or - for standard input',
          ),
      ),
    ),
  ).action((files: string[], options: IngestCommandOptions) => ingest(files, globals(), options));
}

async function ingest(
  paths: readonly string[],
  globals: GlobalOptions,
  options: IngestCommandOptions,
): Promise<void> {
  const inputs = inputsOf(expandDirectories(paths), options.source);
  const format = formatOption(options.format, options);
  const context = createContext(globals, { ...produceTuning(options), ...consumeTuning(options) });
  // The broker first: connecting to it changes nothing, while opening the store may create the database.
  const broker = await openBroker(context, 'ingest');
  const startedAt = performance.now();
  try {
    const store = await openDatabase(context, options.setup);
    // After both services answer, so that an outage is the one line a failed start prints.
    const enrich = await enrichmentOf(context, options);
    try {
      const topology = await topologyOf(broker, options.setup);
      const consumers = startPipelineConsumers(context, broker, store, {
        roles: ['raw', 'clean'],
        format,
        topology,
        enrich,
      });
      let produced: ProduceCounts;
      try {
        produced = await produceWithProgress(context, broker, inputs, {
          progress: options.progress && options.json !== true,
          topology,
        });
        if (!context.signal.aborted)
          await waitUntilDrained(broker, consumers, undefined, { signal: context.signal });
      } finally {
        await consumers.close();
      }
      printReport(
        {
          command: 'ingest',
          inputs: inputs.length,
          seconds: (performance.now() - startedAt) / 1000,
          interrupted: context.signal.aborted,
          produced,
          consumed: consumers,
        },
        options.json === true,
      );
      if (consumers.counts.dead > 0) throw new DeadLetteredError(consumers.counts.dead);
    } finally {
      await store.close();
    }
  } finally {
    await broker.close();
  }
}
