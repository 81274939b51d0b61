/**
 * Starts the dashboard over an open broker connection and database: the pipeline sampler, the app,
 * and its port. Used by `lograbbit dashboard` and by `lograbbit run`. Listening beyond the loopback
 * without DASHBOARD_TOKEN is refused (exit 2) before anything listens.
 */
import type { BrokerConnection } from '../broker/index.js';
import { CLEAN_QUEUE, RAW_QUEUE } from '../broker/index.js';
import type { Listen } from '../config/index.js';
import { buildDashboardApp, createPipelineSampler } from '../dashboard/index.js';
import { UsageError } from '../errors.js';
import { createStatsReader } from '../store/index.js';
import type { Store } from '../store/index.js';
import type { Metrics } from '../telemetry/index.js';
import type { CommandContext } from './context.js';
import { listenOrExplain } from './http-server.js';
import { readPipelineState } from './stats-snapshot.js';
import { readinessOf } from './telemetry-parts.js';

/** Dashboard defaults: http://127.0.0.1:3000, a pipeline sample every 2 s, 10 minutes kept. */
export const DASHBOARD_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 3000,
  sampleIntervalMs: 2000,
  samplesKept: 300,
});

export interface RunningDashboard {
  /** `http://127.0.0.1:3000`: print it for the user. */
  readonly url: string;
  close(): Promise<void>;
}

/** True for the loopback addresses, the only ones served without a token. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Refuses (exit 2) to serve beyond the loopback without a token. */
export function checkExposure(host: string, token: string | undefined): void {
  if (!isLoopback(host) && token === undefined) {
    throw new UsageError(
      'LR_USAGE',
      `--bind ${host}: the dashboard would be reachable from other machines without a token; set DASHBOARD_TOKEN (16 characters or more), or bind 127.0.0.1`,
    );
  }
}

export async function startDashboard(
  context: CommandContext,
  parts: {
    readonly broker: BrokerConnection;
    readonly store: Store;
    /** The process's metrics (served at /metrics); from `createProcessMetrics(broker)`. */
    readonly metrics: Metrics;
    readonly listen: Listen;
    readonly sampleIntervalMs?: number;
    /** Inside `run`: why its consumers' writes do not go through, for /readyz. */
    readonly writes?: () => string | undefined;
  },
): Promise<RunningDashboard> {
  const { broker, store, metrics, listen } = parts;
  const token = context.config.dashboardToken;
  checkExposure(listen.host, token);
  const pipeline = createPipelineSampler({
    read: async () => {
      const { queues, sizes } = await readPipelineState(broker, store);
      const rows = {
        raw: sizes.raw.rows,
        clean: sizes.clean.rows,
        rejected: sizes.rejected.rows,
        estimated: !(sizes.raw.exact && sizes.clean.exact && sizes.rejected.exact),
      };
      return { queues, rows };
    },
    intervalMs: parts.sampleIntervalMs ?? DASHBOARD_DEFAULTS.sampleIntervalMs,
    keep: DASHBOARD_DEFAULTS.samplesKept,
    workQueues: [RAW_QUEUE, CLEAN_QUEUE],
  });
  await pipeline.sampleNow();
  const app = buildDashboardApp({
    stats: createStatsReader(store.db),
    pipeline,
    registry: metrics.registry,
    readiness: readinessOf({ broker, store, writes: parts.writes }),
    token,
  });
  let url: string;
  try {
    url = await listenOrExplain(app, listen, '--port');
  } catch (error) {
    pipeline.stop();
    throw error;
  }
  context.log.info({ url, token: token !== undefined }, 'dashboard listening');
  return {
    url,
    async close() {
      pipeline.stop();
      await app.close();
    },
  };
}
