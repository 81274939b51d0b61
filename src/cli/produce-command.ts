/** `lograbbit produce <file…>`: publishes every line to RabbitMQ with confirms, with a progress bar. */
import type { Command } from 'commander';
import { createContext, openBroker } from './context.js';
import type { GlobalOptions } from './context.js';
import { inputsOf } from './inputs.js';
import { addCommonOptions, addProduceOptions, produceTuning } from './options.js';
import type { CommonOptionValues, ProduceOptionValues } from './options.js';
import { produceWithProgress } from './pipeline-parts.js';
import { printReport } from './summary.js';

type ProduceCommandOptions = ProduceOptionValues & CommonOptionValues;

export function registerProduceCommand(program: Command, globals: () => GlobalOptions): void {
  addCommonOptions(
    addProduceOptions(
      program
        .command('produce')
        .description('publish every line of the files (- for standard input) to RabbitMQ, with confirms')
        .argument('<files...>', 'access log files, or - for standard input'),
    ),
  ).action((files: string[], options: ProduceCommandOptions) => produce(files, globals(), options));
}

async function produce(
  paths: readonly string[],
  globals: GlobalOptions,
  options: ProduceCommandOptions,
): Promise<void> {
  const inputs = inputsOf(paths, options.source);
  const context = createContext(globals, produceTuning(options));
  const broker = await openBroker(context, 'producer');
  const startedAt = performance.now();
  try {
    const produced = await produceWithProgress(context, broker, inputs, {
      progress: options.progress && options.json !== true,
      declare: options.setup,
    });
    printReport(
      {
        command: 'produce',
        inputs: inputs.length,
        seconds: (performance.now() - startedAt) / 1000,
        interrupted: context.signal.aborted,
        produced,
      },
      options.json === true,
    );
  } finally {
    await broker.close();
  }
}
