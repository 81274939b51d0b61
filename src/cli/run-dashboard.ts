/**
 * The dashboard as part of `lograbbit run` (and so of `npm start`): on http://127.0.0.1:3000 when the
 * port is free. It is a convenience there, not the job: when it cannot listen, `run` says why once
 * and goes on storing lines.
 */
import { messageOf } from '../errors.js';
import { DASHBOARD_DEFAULTS, startDashboard } from './dashboard-server.js';
import type { RunExtensions } from './run-command.js';
import { createProcessMetrics } from './telemetry-parts.js';

export const runDashboard: RunExtensions = {
  async startEndpoints({ context, broker, store }) {
    try {
      const running = await startDashboard(context, {
        broker,
        store,
        metrics: createProcessMetrics(broker),
        listen: { host: DASHBOARD_DEFAULTS.host, port: DASHBOARD_DEFAULTS.port },
      });
      process.stdout.write(`lograbbit run: dashboard at ${running.url}/\n`);
      return running;
    } catch (error) {
      context.log.warn(
        { error: messageOf(error) },
        'dashboard not started (run `lograbbit dashboard --port <n>` beside this process); going on without it',
      );
      return undefined;
    }
  },
};
