/**
 * `lograbbit produce <file or directory…>`: publishes every line to RabbitMQ with confirms, with a
 * progress bar. It never opens the database: producers may run where it cannot be reached.
 */
import type { Command } from 'commander';
import { createContext, openBroker, topologyOf } from './context.js';
import type { GlobalOptions } from './context.js';
import { inputsOf } from './inputs.js';
import {
  addCommonOptions,
  addFollowOptions,
  addProduceOptions,
  followTuning,
  produceTuning,
} from './options.js';
import type { CommonOptionValues, FollowOptionValues, ProduceOptionValues } from './options.js';
import { startFollowing } from './follow-parts.js';
import { UsageError } from '../errors.js';
import { expandDirectories } from '../sources/index.js';
import { produceWithProgress } from './pipeline-parts.js';
import { printReport } from './summary.js';
import { addMetricsOptions, listenOf, startHttpEndpoints } from './http-server.js';
import type { HttpEndpoints, MetricsOptionValues } from './http-server.js';
import { createProcessMetrics, readinessOf } from './telemetry-parts.js';

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
  const broker = await openBroker(context, 'producer');
  const startedAt = performance.now();
  try {
    const produced = await produceWithProgress(context, broker, inputs, {
      progress: options.progress && options.json !== true,
      topology: await topologyOf(broker, options.setup),
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
  const broker = await openBroker(context, 'producer');
  const startedAt = performance.now();
  let endpoints: HttpEndpoints | undefined;
  try {
    // A follower runs for ever: it serves its metrics like the consumers (readiness: the broker).
    const metrics = metricsListen ? createProcessMetrics(broker) : undefined;
    if (metricsListen && metrics) {
      endpoints = await startHttpEndpoints({
        listen: metricsListen,
        registry: metrics.registry,
        readiness: readinessOf({ broker }),
        log: context.log,
      });
    }
    const following = await startFollowing(context, broker, {
      patterns,
      from: options.from === 'end' ? 'end' : 'start',
      source: options.source,
      topology: await topologyOf(broker, options.setup),
      status: options.progress && options.json !== true,
      metrics,
    });
    const produced = await following.done;
    printReport(
      {
        command: 'produce',
        inputs: patterns.length,
        seconds: (performance.now() - startedAt) / 1000,
        interrupted: context.signal.aborted,
        produced,
      },
      options.json === true,
    );
  } finally {
    await endpoints?.close();
    await broker.close();
  }
}
