/**
 * The subcommands: `setup`, `produce`, `consume` and `ingest` (the reference's server, producer and
 * consumer scripts, and both halves in one process). Each opens what it needs, runs, reports, closes.
 */
import { DEAD_QUEUE, CLEAN_QUEUE, EXCHANGE, RAW_QUEUE, declareTopology } from '../broker/index.js';
import type { BrokerConnection } from '../broker/index.js';
import type { Store } from '../store/index.js';
import { produceInputs, startConsumers, waitUntilDrained } from '../pipeline/index.js';
import type { ProduceCounts, QueueRole, RunningConsumers } from '../pipeline/index.js';
import { UsageError } from '../errors.js';
import { createContext, formatOption, openBroker, openDatabase } from './context.js';
import type { CommandContext, GlobalOptions } from './context.js';
import { inputsOf } from './inputs.js';
import { createProgressLine } from './progress.js';
import { printReport } from './summary.js';

export interface SetupOptions {
  readonly json?: boolean;
}

export interface ProduceCommandOptions {
  readonly source?: string;
  readonly batchLines?: string;
  readonly batchBytes?: string;
  readonly maxLineBytes?: string;
  readonly publishWindow?: string;
  readonly setup: boolean;
  readonly progress: boolean;
  readonly json?: boolean;
}

export interface ConsumeCommandOptions {
  readonly format?: string;
  readonly queues?: string;
  readonly prefetch?: string;
  readonly writeBatchRows?: string;
  readonly flushIntervalMs?: string;
  readonly untilIdle?: boolean;
  readonly setup: boolean;
  readonly json?: boolean;
}

export type IngestCommandOptions = ProduceCommandOptions &
  Omit<ConsumeCommandOptions, 'untilIdle' | 'queues'>;

/** `lograbbit setup`: declares the broker topology and migrates the database. */
export async function setupCommand(globals: GlobalOptions, options: SetupOptions): Promise<void> {
  const context = createContext(globals);
  const store = await openDatabase(context, true);
  await store.close();
  const broker = await openBroker(context, 'setup');
  try {
    await declareTopology(broker);
  } finally {
    await broker.close();
  }
  const { rabbit, db } = context.config;
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ broker: rabbit.address, exchange: EXCHANGE, queues: [RAW_QUEUE, CLEAN_QUEUE, DEAD_QUEUE], database: db.address, migrated: true })}\n`,
    );
    return;
  }
  process.stdout.write(
    `RabbitMQ ${rabbit.address}: exchange ${EXCHANGE} (topic) → queues ${RAW_QUEUE}, ${CLEAN_QUEUE} (quorum); dead letters → ${DEAD_QUEUE}\n` +
      `database ${db.address}: tables raw_log, clean_log, rejected_log up to date\n`,
  );
}

/** `lograbbit produce <file…>`: publishes every line, with confirms, and a progress bar. */
export async function produceCommand(
  paths: readonly string[],
  globals: GlobalOptions,
  options: ProduceCommandOptions,
): Promise<void> {
  const inputs = inputsOf(paths, options.source);
  const context = createContext(globals, produceTuning(options));
  const broker = await openBroker(context, 'producer');
  const startedAt = performance.now();
  try {
    const produced = await produce(context, broker, inputs, options);
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

/** `lograbbit consume`: stores what arrives on both queues until stopped, or until drained. */
export async function consumeCommand(globals: GlobalOptions, options: ConsumeCommandOptions): Promise<void> {
  const roles = rolesOf(options.queues);
  const format = formatOption(options.format);
  const context = createContext(globals, consumeTuning(options));
  const store = await openDatabase(context, options.setup);
  const startedAt = performance.now();
  try {
    const broker = await openBroker(context, 'consumer');
    try {
      const consumers = startPipelineConsumers(context, broker, store, roles, format, options.setup);
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
    } finally {
      await broker.close();
    }
  } finally {
    await store.close();
  }
}

/** `lograbbit ingest <file…>`: produce and consume in one process, until every line is stored. */
export async function ingestCommand(
  paths: readonly string[],
  globals: GlobalOptions,
  options: IngestCommandOptions,
): Promise<void> {
  const inputs = inputsOf(paths, options.source);
  const format = formatOption(options.format);
  const context = createContext(globals, { ...produceTuning(options), ...consumeTuning(options) });
  const store = await openDatabase(context, options.setup);
  const startedAt = performance.now();
  try {
    const broker = await openBroker(context, 'ingest');
    try {
      if (options.setup) await declareTopology(broker);
      const consumers = startPipelineConsumers(
        context,
        broker,
        store,
        ['raw', 'clean'],
        format,
        options.setup,
      );
      let produced: ProduceCounts;
      try {
        produced = await produce(context, broker, inputs, options);
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
    } finally {
      await broker.close();
    }
  } finally {
    await store.close();
  }
}

async function produce(
  context: CommandContext,
  broker: BrokerConnection,
  inputs: ReturnType<typeof inputsOf>,
  options: ProduceCommandOptions,
): Promise<ProduceCounts> {
  const progress = createProgressLine(options.progress && options.json !== true);
  const { tuning } = context.config;
  try {
    return await produceInputs(broker, inputs, {
      batchLines: tuning.batchLines,
      batchBytes: tuning.batchBytes,
      maxLineBytes: tuning.maxLineBytes,
      publishWindow: tuning.publishWindow,
      declare: options.setup,
      signal: context.signal,
      onProgress: (input, bytes, totals) =>
        progress.update(input.label, bytes, input.sizeBytes, totals.lines),
    });
  } finally {
    progress.clear();
  }
}

function startPipelineConsumers(
  context: CommandContext,
  broker: BrokerConnection,
  store: Store,
  roles: readonly QueueRole[],
  format: ReturnType<typeof formatOption>,
  declare: boolean,
): RunningConsumers {
  const { tuning } = context.config;
  return startConsumers(broker, store.db, {
    roles,
    format,
    prefetch: tuning.prefetch,
    writeBatchRows: tuning.writeBatchRows,
    flushIntervalMs: tuning.flushIntervalMs,
    declare,
    log: context.log,
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

function produceTuning(options: ProduceCommandOptions): Record<string, string | undefined> {
  return {
    batchLines: options.batchLines,
    batchBytes: options.batchBytes,
    maxLineBytes: options.maxLineBytes,
    publishWindow: options.publishWindow,
  };
}

function consumeTuning(options: Omit<ConsumeCommandOptions, 'setup'>): Record<string, string | undefined> {
  return {
    prefetch: options.prefetch,
    writeBatchRows: options.writeBatchRows,
    flushIntervalMs: options.flushIntervalMs,
  };
}
