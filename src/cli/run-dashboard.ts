/**
 * The dashboard as part of `lograbbit run` (and so of `npm start`): on http://127.0.0.1:3000 (or
 * `--dashboard-port`) when the port is free, with /metrics from the registry `run`'s producer and
 * consumers count into. It is a convenience there, not the job: when it cannot listen, `run` says why
 * once and goes on storing lines.
 */
import { messageOf } from '../errors.js';
import { startDashboard } from './dashboard-server.js';
import type { RunExtensions } from './run-command.js';

export const runDashboard: RunExtensions = {
  async startEndpoints({ context, broker, store, metrics, consumers, dashboardListen }) {
    try {
      const running = await startDashboard(context, {
        broker,
        store,
        metrics,
        listen: dashboardListen,
        writes: () => consumers.writeProblem,
      });
      process.stdout.write(`lograbbit run: dashboard at ${running.url}/\n`);
      return running;
    } catch (error) {
      context.log.warn(
        { error: messageOf(error) },
        'dashboard not started (give `--dashboard-port <n>`, or run `lograbbit dashboard --port <n>` beside this process); going on without it',
      );
      return undefined;
    }
  },
};
