/**
 * The dashboard as part of `lograbbit run` (and so of `npm start`): on http://127.0.0.1:3000 (or
 * `--dashboard-port`) when the port is free, with /metrics from the registry `run`'s producer and
 * consumers count into. It is a convenience there, not the job: when it cannot listen, `run` says why
 * once and goes on storing lines.
 */
import { messageOf } from '../errors.js';
import { openReadDatabase } from './context.js';
import { startDashboard } from './dashboard-server.js';
import type { Store } from '../store/index.js';
import type { RunExtensions } from './run-command.js';

export const runDashboard: RunExtensions = {
  async startEndpoints({ context, broker, store, metrics, consumers, dashboardListen }) {
    // With DB_READ_HOST, the dashboard reads there, on a store of its own; else on the writers'.
    let reads: Store | undefined;
    try {
      if (context.config.dbRead !== undefined) reads = await openReadDatabase(context, false);
      const running = await startDashboard(context, {
        broker,
        store: reads ?? store,
        metrics,
        listen: dashboardListen,
        writes: () => consumers.writeProblem,
      });
      process.stdout.write(`lograbbit run: dashboard at ${running.url}/\n`);
      return {
        url: running.url,
        async close() {
          await running.close();
          await reads?.close();
        },
      };
    } catch (error) {
      await reads?.close();
      context.log.warn(
        { error: messageOf(error) },
        'dashboard not started (give `--dashboard-port <n>`, or run `lograbbit dashboard --port <n>` beside this process); going on without it',
      );
      return undefined;
    }
  },
};
