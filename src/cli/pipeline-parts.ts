/** The producing and consuming halves as the subcommands run them, with progress and tuning applied. */
import type { BrokerConnection, DeclaredTopology } from '../broker/index.js';
import { createUserAgentLookup } from '../enrich/index.js';
import type { EnrichOptions } from '../enrich/index.js';
import type { FormatChoice } from '../formats/index.js';
import { openGeoDatabase } from '../geo/index.js';
import { createRowWriters } from '../store/index.js';
import type { Store } from '../store/index.js';
import type { PipelineMetrics } from '../telemetry/index.js';
import { startConsumers } from '../pipeline/index.js';
import type { PublishOptions, QueueRole, RunningConsumers } from '../pipeline/index.js';
import type { CommandContext } from './context.js';
import { sourceOf } from './inputs.js';
import type { Input } from './inputs.js';
import type { ConsumeOptionValues } from './options.js';
import type { Source } from '../sources/index.js';
import { createProgressLine } from './progress.js';

/** Files and standard input as `startPipeline` publishes them (its `publish`), and their progress line. */
export interface InputsToPublish extends Pick<PublishOptions, 'onPublished' | 'onProgress'> {
  readonly sources: readonly Source[];
  readonly signal: AbortSignal;
  /** Erases the progress line: before the report is printed. */
  readonly clearProgress: () => void;
}

/**
 * A source per input, read once with the configured batching, stopped by the command's signal, with
 * a progress line on a terminal unless `progress` is false.
 */
export function inputsToPublish(
  context: CommandContext,
  inputs: readonly Input[],
  options: {
    readonly progress: boolean;
    /** Called with each batch published, and its source. */
    readonly onPublished?: PublishOptions['onPublished'];
  },
): InputsToPublish {
  const progress = createProgressLine(options.progress);
  return {
    sources: inputs.map((input) => sourceOf(input, context.config.tuning)),
    signal: context.signal,
    onPublished: options.onPublished,
    onProgress: (source, totals) =>
      progress.update(source.name, source.counts.bytes, source.sizeBytes, totals.lines),
    clearProgress: () => progress.clear(),
  };
}

/**
 * Starts the consumers of `roles` with the configured tuning, once the writers know the retention
 * horizon (so that no line older than it is stored at start).
 */
export async function startPipelineConsumers(
  context: CommandContext,
  broker: BrokerConnection,
  store: Store,
  options: {
    readonly roles: readonly QueueRole[];
    readonly format: FormatChoice;
    /** From `declareTopology`; undefined with `--no-setup`. */
    readonly topology: DeclaredTopology | undefined;
    /** From `enrichmentOf`; without it, no geo and no user-agent fields. */
    readonly enrich?: EnrichOptions;
    /** Counts messages, rows and rejects (`--metrics-port`). */
    readonly metrics?: PipelineMetrics;
  },
): Promise<RunningConsumers> {
  const { tuning } = context.config;
  const writers = createRowWriters(store.db, store.writeMethod, { maxAllowedPacket: store.maxAllowedPacket });
  await writers.ready;
  return startConsumers(broker, writers, {
    roles: options.roles,
    format: options.format,
    prefetch: tuning.prefetch,
    writeBatchRows: tuning.writeBatchRows,
    writeConcurrency: tuning.writeConcurrency,
    flushIntervalMs: tuning.flushIntervalMs,
    topology: options.topology,
    enrich: options.enrich,
    metrics: options.metrics,
    log: context.log,
  });
}

/**
 * The enrichment the consume options ask for: the geo database (GEOIP_DB or the shipped one) unless
 * `--no-geo`, the user-agent lookup unless `--no-user-agent`, and the `--host` of path-only requests.
 */
export async function enrichmentOf(
  context: CommandContext,
  values: ConsumeOptionValues,
): Promise<EnrichOptions> {
  const geo = values.geo === false ? undefined : await openGeoDatabase(context.config.geoipDb);
  if (geo) context.log.info({ geoDb: geo.label }, 'geo database open');
  return {
    defaultHost: values.host,
    geo: geo?.lookup,
    geoDb: geo?.label,
    userAgent: values.userAgent === false ? undefined : createUserAgentLookup(),
  };
}
