/**
 * Builds the dashboard's fastify app apart from `listen()`, so tests drive it with `inject()`: the
 * page and its assets, the JSON API, the live feed, and /metrics /healthz /readyz.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { StatsReader } from '../store/index.js';
import { registerApiRoutes } from './api-routes.js';
import { requireToken } from './auth.js';
import { registerEventsRoute } from './events-route.js';
import { registerHealthRoutes } from './health-routes.js';
import type { Readiness } from './health-routes.js';
import type { PipelineSampler } from './pipeline-sampler.js';
import { registerStaticRoutes } from './static-routes.js';

export interface DashboardAppOptions {
  readonly stats: StatsReader;
  readonly pipeline: PipelineSampler;
  readonly registry: Registry;
  readonly readiness: Readiness;
  /** Required on every route but /healthz when given (the dashboard listens beyond the loopback). */
  readonly token?: string | undefined;
  /** Now, epoch ms (tests pin it). */
  readonly now?: () => number;
}

export function buildDashboardApp(options: DashboardAppOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  forbidContentSniffing(app);
  if (options.token !== undefined) requireToken(app, options.token);
  registerStaticRoutes(app);
  registerHealthRoutes(app, { registry: options.registry, readiness: options.readiness });
  registerApiRoutes(app, { stats: options.stats, pipeline: options.pipeline, now: options.now });
  registerEventsRoute(app, options.pipeline);
  return app;
}

/** A bare app with /metrics /healthz /readyz only: the `--metrics-port` of long-running commands. */
export function buildHealthApp(options: { registry: Registry; readiness: Readiness }): FastifyInstance {
  const app = Fastify({ logger: false });
  forbidContentSniffing(app);
  registerHealthRoutes(app, options);
  return app;
}

/**
 * Every answer, refusals and errors included, is to be read as the type it declares: a browser that
 * sniffed a JSON answer quoting log lines could run it as a script or a page.
 */
function forbidContentSniffing(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
}
