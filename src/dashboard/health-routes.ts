/**
 * `/metrics` (Prometheus text), `/healthz` (the process is alive) and `/readyz` (the broker and the
 * database answer): served by the dashboard and by every long-running command's `--metrics-port`.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** One dependency's state, as `/readyz` reports it. */
export interface ReadinessCheck {
  readonly ok: boolean;
  readonly error?: string;
}

/** Checks each dependency; resolves with every result (it should not throw). */
export type Readiness = () => Promise<Readonly<Record<string, ReadinessCheck>>>;

export interface HealthRoutesOptions {
  readonly registry: Registry;
  readonly readiness: Readiness;
}

export function registerHealthRoutes(app: FastifyInstance, options: HealthRoutesOptions): void {
  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const checks = await options.readiness();
    const ready = Object.values(checks).every((check) => check.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', async (_request, reply) => {
    const text = await options.registry.metrics();
    return reply.type(options.registry.contentType).send(text);
  });
}
