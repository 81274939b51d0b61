/** The dashboard: a fastify app (page, JSON API, live feed, health and metrics) and its pipeline sampler. */
export { buildDashboardApp, buildHealthApp } from './app.js';
export type { DashboardAppOptions } from './app.js';
export type { Readiness, ReadinessCheck } from './health-routes.js';
export { createPipelineSampler } from './pipeline-sampler.js';
export type {
  PipelineReading,
  PipelineSample,
  PipelineSampler,
  PipelineSamplerOptions,
} from './pipeline-sampler.js';
export { TOKEN_COOKIE } from './auth.js';
