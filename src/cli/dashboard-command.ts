/** `lograbbit dashboard`: the live web page of the pipeline and the traffic, until stopped. */
import type { Command } from 'commander';
import { createContext, openBroker, openReadDatabase } from './context.js';
import type { GlobalOptions } from './context.js';
import { DASHBOARD_DEFAULTS, checkExposure, startDashboard } from './dashboard-server.js';
import { addMetricsOptions, listenOf, startHttpEndpoints } from './http-server.js';
import type { MetricsOptionValues } from './http-server.js';
import { createProcessMetrics, readinessOf } from './telemetry-parts.js';
import { UsageError } from '../errors.js';

interface DashboardOptions extends MetricsOptionValues {
  readonly bind: string;
  readonly port: string;
  readonly sampleIntervalMs: string;
  readonly setup: boolean;
}

export function registerDashboardCommand(program: Command, globals: () => GlobalOptions): void {
  addMetricsOptions(
    program
      .command('dashboard')
      .description('serve the live dashboard of the pipeline and the traffic (http://127.0.0.1:3000)')
      .option(
        '--bind <address>',
        'address to listen on; beyond the loopback DASHBOARD_TOKEN is required',
        DASHBOARD_DEFAULTS.host,
      )
      .option('--port <port>', 'port to listen on', String(DASHBOARD_DEFAULTS.port))
      .option(
        '--sample-interval-ms <ms>',
        'how often queue depths and row counts are read',
        String(DASHBOARD_DEFAULTS.sampleIntervalMs),
      )
      .option('--no-setup', 'do not migrate the database (a read-only user)'),
  ).action((options: DashboardOptions) => dashboard(globals(), options));
}

async function dashboard(globals: GlobalOptions, options: DashboardOptions): Promise<void> {
  const listen = listenOf(options.bind, options.port, '--port');
  const metricsListen = listenOf(options.metricsHost, options.metricsPort, '--metrics-port');
  const sampleIntervalMs = Number(options.sampleIntervalMs);
  if (!Number.isInteger(sampleIntervalMs) || sampleIntervalMs < 100 || sampleIntervalMs > 600_000) {
    throw new UsageError(
      'LR_USAGE',
      `--sample-interval-ms: expected a whole number from 100 to 600000 (got "${options.sampleIntervalMs}")`,
    );
  }
  const context = createContext(globals);
  const bound = listen ?? { host: DASHBOARD_DEFAULTS.host, port: DASHBOARD_DEFAULTS.port };
  checkExposure(bound.host, context.config.dashboardToken);
  // The broker first: connecting to it changes nothing, while opening the store may create the database.
  const broker = await openBroker(context, 'dashboard');
  try {
    const store = await openReadDatabase(context, options.setup);
    try {
      const metrics = createProcessMetrics(broker);
      const running = await startDashboard(context, {
        broker,
        store,
        metrics,
        listen: bound,
        sampleIntervalMs,
      });
      const endpoints = metricsListen
        ? await startHttpEndpoints({
            listen: metricsListen,
            registry: metrics.registry,
            readiness: readinessOf({ broker, store }),
            log: context.log,
          })
        : undefined;
      process.stdout.write(`lograbbit dashboard: ${running.url}/  (Ctrl-C to stop)\n`);
      await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
      await endpoints?.close();
      await running.close();
    } finally {
      await store.close();
    }
  } finally {
    await broker.close();
  }
}
