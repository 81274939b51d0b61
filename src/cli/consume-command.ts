/** `lograbbit consume`: stores what arrives on both queues until stopped, or until they are drained. */
import type { Command } from 'commander';
import { CLEAN_QUEUE, RAW_QUEUE } from '../broker/index.js';
import { waitUntilDrained } from '../pipeline/index.js';
import type { QueueRole, RunningConsumers } from '../pipeline/index.js';
import { DeadLetteredError, UsageError } from '../errors.js';
import { createContext, formatOption, openBroker, openDatabase, topologyOf } from './context.js';
import type { GlobalOptions } from './context.js';
import { addCommonOptions, addConsumeOptions, addRetentionOptions, consumeTuning } from './options.js';
import type { CommonOptionValues, ConsumeOptionValues, RetentionOptionValues } from './options.js';
import { retentionSettingsOf, startRetentionUpkeep } from './retention-parts.js';
import { enrichmentOf, startPipelineConsumers } from './pipeline-parts.js';
import { printReport } from './summary.js';
import { addMetricsOptions, listenOf, startHttpEndpoints } from './http-server.js';
import type { HttpEndpoints, MetricsOptionValues } from './http-server.js';
import { createProcessMetrics, readinessOf } from './telemetry-parts.js';

type ConsumeCommandOptions = ConsumeOptionValues &
  CommonOptionValues &
  RetentionOptionValues &
  MetricsOptionValues & { readonly queues?: string; readonly untilIdle?: boolean };

export function registerConsumeCommand(program: Command, globals: () => GlobalOptions): void {
  addMetricsOptions(
    addCommonOptions(
      addRetentionOptions(
        addConsumeOptions(
          program
            .command('consume')
            .description('store what arrives on data-lake (raw_log) and data-clean (clean_log, rejected_log)')
            .option('--queues <list>', 'which queues: raw, clean or raw,clean', 'raw,clean')
            .option('--until-idle', 'exit once both queues are drained (default: run until stopped)'),
        ),
        false,
      ),
    ),
  ).action((options: ConsumeCommandOptions) => consume(globals(), options));
}

async function consume(globals: GlobalOptions, options: ConsumeCommandOptions): Promise<void> {
  const roles = rolesOf(options.queues);
  const format = formatOption(options.format, options);
  const metricsListen = listenOf(options.metricsHost, options.metricsPort, '--metrics-port');
  const retention = retentionSettingsOf(options);
  const context = createContext(globals, consumeTuning(options));
  // The broker first: connecting to it changes nothing, while opening the store may create the database.
  const broker = await openBroker(context, 'consumer');
  const startedAt = performance.now();
  try {
    const store = await openDatabase(context, options.setup);
    // After both services answer, so that an outage is the one line a failed start prints.
    const enrich = await enrichmentOf(context, options);
    let endpoints: HttpEndpoints | undefined;
    // Set once the consumers run; /readyz asks it whether writes go through.
    let running: RunningConsumers | undefined;
    // Day partitions ahead, and --keep, hourly (not for an operator who migrates apart and keeps all).
    const upkeep =
      options.setup || retention.keepMs !== undefined
        ? startRetentionUpkeep(store, retention, context.log)
        : undefined;
    try {
      const metrics = metricsListen ? createProcessMetrics(broker) : undefined;
      if (metricsListen && metrics) {
        endpoints = await startHttpEndpoints({
          listen: metricsListen,
          registry: metrics.registry,
          readiness: readinessOf({ broker, store, writes: () => running?.writeProblem }),
          log: context.log,
        });
      }
      const consumers = await startPipelineConsumers(context, broker, store, {
        roles,
        format,
        topology: await topologyOf(broker, options.setup),
        enrich,
        metrics,
      });
      running = consumers;
      const queues = roles.map((role) => (role === 'raw' ? RAW_QUEUE : CLEAN_QUEUE));
      context.log.info(
        { queues, database: context.config.db.address },
        options.untilIdle ? 'consuming until the queues are drained' : 'consuming; Ctrl-C to stop',
      );
      if (options.untilIdle) await waitUntilDrained(broker, consumers, queues, { signal: context.signal });
      else await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
      await consumers.close();
      printReport(
        {
          command: 'consume',
          inputs: 0,
          seconds: (performance.now() - startedAt) / 1000,
          interrupted: context.signal.aborted,
          consumed: consumers,
        },
        options.json === true,
      );
      // Run until stopped, the dead messages are the log's and the metrics' to report.
      if (options.untilIdle && consumers.counts.dead > 0) throw new DeadLetteredError(consumers.counts.dead);
    } finally {
      await upkeep?.stop();
      await endpoints?.close();
      await store.close();
    }
  } finally {
    await broker.close();
  }
}

function rolesOf(value: string | undefined): QueueRole[] {
  const names = (value ?? 'raw,clean').split(',').map((name) => name.trim());
  const roles: QueueRole[] = [];
  for (const name of names) {
    if (name === 'raw' || name === RAW_QUEUE) roles.push('raw');
    else if (name === 'clean' || name === CLEAN_QUEUE) roles.push('clean');
    else throw new UsageError('LR_USAGE', `--queues: unknown queue "${name}"; use raw, clean or raw,clean`);
  }
  return roles;
}
