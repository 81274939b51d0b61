/**
 * What `run`, `consume`, `ingest`, `produce` and `simulate --to-broker` start, in one order: the
 * broker, the database, the enrichment, the topology, the metrics and their endpoints, the retention
 * upkeep, the consumers, the command's own endpoints (the dashboard), and last the publishing of its
 * sources. Each registers its close on the command's stack of cleanups as it opens, so a failed start
 * closes what it had opened, and a stop closes in reverse.
 */
import type { BrokerConnection, DeclaredTopology } from '../broker/index.js';
import type { Listen } from '../config/index.js';
import type { FormatChoice } from '../formats/index.js';
import { brokerPublisher, publishBatches } from '../pipeline/index.js';
import type { Publishing, PublishOptions, QueueRole, RunningConsumers } from '../pipeline/index.js';
import type { Source } from '../sources/index.js';
import type { Store } from '../store/index.js';
import type { Metrics } from '../telemetry/index.js';
import type { Cleanups } from './cleanups.js';
import { openBroker, openDatabase, topologyOf } from './context.js';
import type { CommandContext } from './context.js';
import { startHttpEndpoints } from './http-server.js';
import type { HttpEndpoints } from './http-server.js';
import type { ConsumeOptionValues } from './options.js';
import { enrichmentOf, startPipelineConsumers } from './pipeline-parts.js';
import { startRetentionUpkeep } from './retention-parts.js';
import type { RetentionSettings } from './retention-parts.js';
import { createProcessMetrics, readinessOf } from './telemetry-parts.js';

export interface PipelineRequest {
  /** Names the broker connection (`lograbbit <name>`), as RabbitMQ's management lists it. */
  readonly connection: string;
  /** False with `--no-setup`: declare no topology, migrate nothing. */
  readonly setup: boolean;
  /** The process's metrics: served at `listen` (`--metrics-port`), or made anyway with `always`. */
  readonly metrics?: { readonly listen: Listen | undefined; readonly always?: boolean };
  /** What the process stores; the database is opened only for it. */
  readonly consume?: ConsumeRequest;
  /**
   * HTTP endpoints of the command's own (`run`'s dashboard, which serves the metrics too: it needs
   * `consume` and `metrics.always`), started once the consumers run and before the first line is
   * published; closed on the way out.
   */
  readonly serve?: (
    parts: ConsumingPipeline & { readonly metrics: Metrics },
  ) => Promise<ServedEndpoints | undefined>;
  /** What the process publishes, once everything above runs. */
  readonly publish?: PublishRequest;
}

export interface ConsumeRequest {
  readonly roles: readonly QueueRole[];
  readonly format: FormatChoice;
  /** `--no-geo`, `--no-user-agent`, `--host`: see `enrichmentOf`. */
  readonly enrich: ConsumeOptionValues;
  /** The hourly upkeep: started with `setup` or with `--keep` (never for an operator who keeps all). */
  readonly retention?: RetentionSettings;
}

export interface ServedEndpoints {
  readonly url: string;
  close(): Promise<void>;
}

export interface PublishRequest extends Pick<PublishOptions, 'onPublished' | 'onConfirmed' | 'onProgress'> {
  /**
   * Published one after the other by the one loop (`pipeline/publish.ts`), which closes them once
   * their batches are confirmed; closed on the way out if the start fails before.
   */
  readonly sources: readonly Source[];
  /**
   * Stops taking batches (sources read once: the command's signal). None for a follower: it stops
   * by its own signal, and hands out the complete lines it holds first.
   */
  readonly signal?: AbortSignal;
}

export interface Pipeline {
  readonly broker: BrokerConnection;
  /** From `declareTopology`; undefined with `--no-setup`. */
  readonly topology: DeclaredTopology | undefined;
  readonly metrics: Metrics | undefined;
  /** The `--metrics-port` endpoints, when asked for. */
  readonly metricsEndpoints: HttpEndpoints | undefined;
  /** `performance.now()` once the broker answered: what the report's seconds count from. */
  readonly startedAt: number;
}

export interface ConsumingPipeline extends Pipeline {
  readonly store: Store;
  readonly consumers: RunningConsumers;
  /** Closes the consumers (once: the stack then skips them): they finish and ack what they hold. */
  readonly stopConsumers: () => Promise<void>;
  /** The `serve` endpoints, when asked for. */
  readonly endpoints?: ServedEndpoints | undefined;
}

export interface PublishingPipeline extends Pipeline {
  /** The sources' publishing: its counts so far, and `done` once every line read is confirmed. */
  readonly publishing: Publishing;
}

/** What `startPipeline` gives for `request`: the consumers with `consume`, the publishing with `publish`. */
export type StartedPipeline<Request extends PipelineRequest> = Pipeline &
  (Request extends { readonly consume: ConsumeRequest } ? ConsumingPipeline : unknown) &
  (Request extends { readonly publish: PublishRequest } ? PublishingPipeline : unknown) &
  (Request extends { readonly metrics: { readonly always: true } } ? { readonly metrics: Metrics } : unknown);

export async function startPipeline<Request extends PipelineRequest>(
  context: CommandContext,
  resources: Cleanups,
  request: Request,
): Promise<StartedPipeline<Request>> {
  const { consume, publish } = request;
  // The sources are the command's until the loop takes them: a failed start closes them here.
  let sourcesHandedOver = false;
  if (publish) {
    resources.defer(async () => {
      if (!sourcesHandedOver) for (const source of publish.sources) await source.close?.();
    });
  }
  // The broker first: connecting to it changes nothing, while opening the store may create the database.
  const broker = await openBroker(context, request.connection);
  resources.defer(() => broker.close());
  const startedAt = performance.now();
  let store: Store | undefined;
  if (consume) {
    const opened = await openDatabase(context, request.setup);
    resources.defer(() => opened.close());
    store = opened;
  }
  // After both services answer, so that an outage is the one line a failed start prints.
  const enrich = consume && (await enrichmentOf(context, consume.enrich));
  const topology = await topologyOf(broker, request.setup);
  const metricsListen = request.metrics?.listen;
  const metrics =
    metricsListen || request.metrics?.always === true ? createProcessMetrics(broker) : undefined;
  // Set once the consumers run; /readyz asks it whether writes go through.
  const running: { consumers?: RunningConsumers } = {};
  let metricsEndpoints: HttpEndpoints | undefined;
  if (metricsListen && metrics) {
    const endpoints = await startHttpEndpoints({
      listen: metricsListen,
      registry: metrics.registry,
      readiness: readinessOf(
        store ? { broker, store, writes: () => running.consumers?.writeProblem } : { broker },
      ),
      log: context.log,
    });
    resources.defer(() => endpoints.close());
    metricsEndpoints = endpoints;
  }
  let pipeline: Pipeline & Partial<ConsumingPipeline & PublishingPipeline> = {
    broker,
    topology,
    metrics,
    metricsEndpoints,
    startedAt,
  };
  if (consume && store && enrich) {
    const { retention } = consume;
    if (retention && (request.setup || retention.keepMs !== undefined)) {
      const upkeep = startRetentionUpkeep(store, retention, context.log);
      resources.defer(() => upkeep.stop());
    }
    const consumers = await startPipelineConsumers(context, broker, store, {
      roles: consume.roles,
      format: consume.format,
      topology,
      enrich,
      metrics,
    });
    running.consumers = consumers;
    const stopConsumers = resources.defer(() => consumers.close());
    const consuming: ConsumingPipeline = { ...pipeline, store, consumers, stopConsumers };
    if (request.serve && !metrics)
      throw new Error('startPipeline: `serve` needs `metrics: { always: true }`');
    const endpoints = metrics && (await request.serve?.({ ...consuming, metrics }));
    if (endpoints) resources.defer(() => endpoints.close());
    pipeline = { ...consuming, endpoints };
  }
  if (publish) {
    const publisher = brokerPublisher(broker, {
      publishWindow: context.config.tuning.publishWindow,
      topology,
      log: context.log,
      metrics,
    });
    sourcesHandedOver = true;
    const publishing = publishBatches(publish.sources, publisher, {
      signal: publish.signal,
      metrics,
      onPublished: publish.onPublished,
      onConfirmed: publish.onConfirmed,
      onProgress: publish.onProgress,
    });
    pipeline = { ...pipeline, publishing };
  }
  // What `request` asked for is there: the type says so, which TypeScript cannot follow through the
  // branches above.
  return pipeline as StartedPipeline<Request>;
}
