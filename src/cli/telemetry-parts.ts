/**
 * The telemetry of a long-running command: its metrics (with queue depths read from the broker at
 * scrape time and reconnects counted), and the readiness checks behind `/readyz`.
 */
import { CLEAN_QUEUE, DEAD_QUEUE, RAW_QUEUE, queueDepth } from '../broker/index.js';
import type { BrokerConnection } from '../broker/index.js';
import type { Readiness, ReadinessCheck } from '../dashboard/index.js';
import { messageOf } from '../errors.js';
import { settledWithin } from '../deadline.js';
import type { Store } from '../store/index.js';
import { createMetrics } from '../telemetry/index.js';
import type { Metrics, QueueDepthReading } from '../telemetry/index.js';

/** The queues `stats`, the dashboard and /metrics report, in pipeline order. */
export const REPORTED_QUEUES = [RAW_QUEUE, CLEAN_QUEUE, DEAD_QUEUE] as const;

/** How long a readiness check may take before it counts as failed, in ms. */
const READINESS_TIMEOUT_MS = 2000;

/** Depths of the reported queues; a queue that does not exist (yet) is left out. */
export async function readQueueDepths(broker: BrokerConnection): Promise<QueueDepthReading[]> {
  const readings: QueueDepthReading[] = [];
  for (const queue of REPORTED_QUEUES) {
    try {
      readings.push(await queueDepth(broker, queue));
    } catch {
      // Not declared yet, or the broker is away: /readyz says which.
    }
  }
  return readings;
}

/** The process's metrics, with Node's process metrics, queue depths and broker reconnects. */
export function createProcessMetrics(broker?: BrokerConnection): Metrics {
  const metrics = createMetrics({ processMetrics: true });
  if (broker) {
    metrics.watchQueueDepths(() => readQueueDepths(broker));
    // The first 'connection' happened before we were handed the connection: each one from now on is a reconnect.
    broker.on('connection', () => metrics.reconnected('broker'));
  }
  return metrics;
}

async function withTimeout(check: Promise<void>): Promise<ReadinessCheck> {
  const settled = await settledWithin(check, READINESS_TIMEOUT_MS);
  if (settled.outcome === 'fulfilled') return { ok: true };
  if (settled.outcome === 'rejected') return { ok: false, error: messageOf(settled.error) };
  return { ok: false, error: `no answer within ${READINESS_TIMEOUT_MS} ms` };
}

/**
 * `/readyz`: the broker connection is up, the database answers `SELECT 1`, and (in a consumer) writes
 * go through: `writes` tells why they do not, when the database refuses them (a missing privilege, a
 * changed table…) though it answers.
 */
export function readinessOf(parts: {
  broker?: BrokerConnection;
  store?: Store;
  writes?: () => string | undefined;
}): Readiness {
  return async () => {
    const checks: Record<string, ReadinessCheck> = {};
    if (parts.broker) {
      checks.broker = parts.broker.ready
        ? { ok: true }
        : { ok: false, error: 'not connected (reconnecting)' };
    }
    if (parts.store) {
      const { pool } = parts.store;
      checks.database = await withTimeout(pool.query('SELECT 1').then(() => undefined));
    }
    if (parts.writes) {
      const problem = parts.writes();
      checks.writes = problem === undefined ? { ok: true } : { ok: false, error: problem };
    }
    return checks;
  };
}
