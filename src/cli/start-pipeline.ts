/**
 * What `run`, `consume`, `ingest`, `produce` and `simulate --to-broker` open before their own work,
 * in one order: the broker, the database, the enrichment, the topology, the metrics and their
 * endpoints, the retention upkeep, the consumers. Each registers its close on the command's stack of
 * cleanups as it opens, so a failed start closes what it had opened, and a stop closes in reverse.
 */
import type { BrokerConnection, DeclaredTopology } from '../broker/index.js';
import type { Listen } from '../config/index.js';
import type { FormatChoice } from '../formats/index.js';
import type { QueueRole, RunningConsumers } from '../pipeline/index.js';
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
}

export interface ConsumingRequest extends PipelineRequest {
  /** What the process stores; the database is opened only for it. */
  readonly consume: {
    readonly roles: readonly QueueRole[];
    readonly format: FormatChoice;
    /** `--no-geo`, `--no-user-agent`, `--host`: see `enrichmentOf`. */
    readonly enrich: ConsumeOptionValues;
    /** The hourly upkeep: started with `setup` or with `--keep` (never for an operator who keeps all). */
    readonly retention?: RetentionSettings;
  };
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
}

/** Metrics made whether served or not (`run`'s producer, consumers and dashboard share them). */
interface AlwaysMetrics {
  readonly metrics: { readonly listen: Listen | undefined; readonly always: true };
}

export async function startPipeline(
  context: CommandContext,
  resources: Cleanups,
  request: ConsumingRequest & AlwaysMetrics,
): Promise<ConsumingPipeline & { readonly metrics: Metrics }>;
export async function startPipeline(
  context: CommandContext,
  resources: Cleanups,
  request: ConsumingRequest,
): Promise<ConsumingPipeline>;
export async function startPipeline(
  context: CommandContext,
  resources: Cleanups,
  request: PipelineRequest,
): Promise<Pipeline>;
export async function startPipeline(
  context: CommandContext,
  resources: Cleanups,
  request: PipelineRequest & Partial<Pick<ConsumingRequest, 'consume'>>,
): Promise<Pipeline | ConsumingPipeline> {
  const { consume } = request;
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
  const pipeline = { broker, topology, metrics, metricsEndpoints, startedAt };
  if (!consume || !store || !enrich) return pipeline;
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
  return { ...pipeline, store, consumers, stopConsumers };
}
