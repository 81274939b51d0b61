/** `lograbbit consume`: stores what arrives on both queues until stopped, or until they are drained. */
import type { Command } from 'commander';
import { CLEAN_QUEUE, RAW_QUEUE } from '../broker/index.js';
import { waitUntilDrained } from '../pipeline/index.js';
import type { QueueRole } from '../pipeline/index.js';
import { DeadLetteredError, UsageError } from '../errors.js';
import { withCleanups } from './cleanups.js';
import { createContext, formatOption } from './context.js';
import type { GlobalOptions } from './context.js';
import { addCommonOptions, addConsumeOptions, addRetentionOptions, consumeTuning } from './options.js';
import type { CommonOptionValues, ConsumeOptionValues, RetentionOptionValues } from './options.js';
import { retentionSettingsOf } from './retention-parts.js';
import { startPipeline } from './start-pipeline.js';
import { printReport } from './summary.js';
import { addMetricsOptions, listenOf } from './http-server.js';
import type { MetricsOptionValues } from './http-server.js';

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
  await withCleanups(context.log, async (resources) => {
    const { broker, consumers, stopConsumers, startedAt } = await startPipeline(context, resources, {
      connection: 'consumer',
      setup: options.setup,
      metrics: { listen: metricsListen },
      consume: { roles, format, enrich: options, retention },
    });
    const queues = roles.map((role) => (role === 'raw' ? RAW_QUEUE : CLEAN_QUEUE));
    context.log.info(
      { queues, database: context.config.db.address },
      options.untilIdle ? 'consuming until the queues are drained' : 'consuming; Ctrl-C to stop',
    );
    if (options.untilIdle) await waitUntilDrained(broker, consumers, { queues, signal: context.signal });
    else await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
    await stopConsumers();
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
  });
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
