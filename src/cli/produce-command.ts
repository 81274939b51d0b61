/**
 * `lograbbit produce <file or directory…>`: publishes every line to RabbitMQ with confirms, with a
 * progress bar. It never opens the database: producers may run where it cannot be reached.
 */
import type { Command } from 'commander';
import type { ProduceCounts } from '../pipeline/index.js';
import { withCleanups } from './cleanups.js';
import { createContext } from './context.js';
import type { CommandContext, GlobalOptions } from './context.js';
import { inputsOf } from './inputs.js';
import {
  addCommonOptions,
  addFollowOptions,
  addProduceOptions,
  followTuning,
  produceTuning,
} from './options.js';
import type { CommonOptionValues, FollowOptionValues, ProduceOptionValues } from './options.js';
import { openFollower, watchFollowing } from './follow-parts.js';
import { UsageError } from '../errors.js';
import { expandDirectories } from '../sources/index.js';
import { inputsToPublish } from './pipeline-parts.js';
import { printReport } from './summary.js';
import { addMetricsOptions, listenOf } from './http-server.js';
import type { MetricsOptionValues } from './http-server.js';
import { startPipeline } from './start-pipeline.js';

type ProduceCommandOptions = ProduceOptionValues &
  CommonOptionValues &
  FollowOptionValues &
  MetricsOptionValues;

export function registerProduceCommand(program: Command, globals: () => GlobalOptions): void {
  addMetricsOptions(
    addCommonOptions(
      addFollowOptions(
        addProduceOptions(
          program
            .command('produce')
            .description(
              'publish every line of the files (- for standard input) to RabbitMQ, with confirms; never opens the database',
            )
            .argument(
              '<files...>',
              'access log files or directories (each file in it, by name; not hidden, compressed or in subdirectories), or - for standard input; with --follow, paths or globs',
            ),
        ),
        true,
      ),
      'do not declare the topology (produce never opens the database)',
    ),
  ).action((files: string[], options: ProduceCommandOptions) => produce(files, globals(), options));
}

async function produce(
  paths: readonly string[],
  globals: GlobalOptions,
  options: ProduceCommandOptions,
): Promise<void> {
  if (options.follow) return produceFollowing(paths, globals, options);
  if (options.metricsPort !== undefined)
    throw new UsageError(
      'LR_USAGE',
      '--metrics-port: only with --follow (a finite produce prints its report)',
    );
  const inputs = inputsOf(expandDirectories(paths), options.source);
  const context = createContext(globals, { ...produceTuning(options), ...followTuning(options) });
  await withCleanups(context.log, async (resources) => {
    const reading = inputsToPublish(context, inputs, { progress: options.progress && options.json !== true });
    const { publishing, startedAt } = await startPipeline(context, resources, {
      connection: 'producer',
      setup: options.setup,
      publish: reading,
    });
    const produced = await publishing.done.finally(reading.clearProgress);
    report(context, options, { inputs: inputs.length, startedAt, produced });
  });
}

/** `produce --follow`: publishes new lines of the files until stopped, with checkpoints. */
async function produceFollowing(
  patterns: readonly string[],
  globals: GlobalOptions,
  options: ProduceCommandOptions,
): Promise<void> {
  if (patterns.includes('-')) {
    throw new UsageError(
      'LR_USAGE',
      '--follow: standard input is live already; use `produce -` without --follow',
    );
  }
  const metricsListen = listenOf(options.metricsHost, options.metricsPort, '--metrics-port');
  const context = createContext(globals, { ...produceTuning(options), ...followTuning(options) });
  await withCleanups(context.log, async (resources) => {
    const follower = await openFollower(context, {
      patterns,
      from: options.from === 'end' ? 'end' : 'start',
      source: options.source,
    });
    // A follower runs for ever: it serves its metrics like the consumers (readiness: the broker).
    const { publishing, metrics, startedAt } = await startPipeline(context, resources, {
      connection: 'producer',
      setup: options.setup,
      metrics: { listen: metricsListen },
      publish: { sources: [follower] },
    });
    const produced = await watchFollowing(context, follower, publishing, {
      status: options.progress && options.json !== true,
      metrics,
    });
    report(context, options, { inputs: patterns.length, startedAt, produced });
  });
}

function report(
  context: CommandContext,
  options: ProduceCommandOptions,
  run: { readonly inputs: number; readonly startedAt: number; readonly produced: ProduceCounts },
): void {
  printReport(
    {
      command: 'produce',
      inputs: run.inputs,
      seconds: (performance.now() - run.startedAt) / 1000,
      interrupted: context.signal.aborted,
      produced: run.produced,
    },
    options.json === true,
  );
}
