/**
 * `lograbbit run [path or glob…]`: the whole system live in one process: follows the files (or, with
 * no path, the simulator's traffic written to a file under the state directory), publishes with
 * confirms, and consumes into MySQL, with a status line until Ctrl-C. This is `npm start`.
 * One metrics registry counts both halves; the dashboard's /metrics and `--metrics-port` serve it.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Listen } from '../config/index.js';
import type { BrokerConnection } from '../broker/index.js';
import type { LineBatch } from '../domain/index.js';
import { checkStoredEvery, trackStoredLines, waitUntilDrained } from '../pipeline/index.js';
import type { RunningConsumers } from '../pipeline/index.js';
import type { Store } from '../store/index.js';
import type { Metrics } from '../telemetry/index.js';
import { withCleanups } from './cleanups.js';
import { createContext, formatOption } from './context.js';
import type { CommandContext, GlobalOptions } from './context.js';
import { addMetricsOptions, listenOf } from './http-server.js';
import type { MetricsOptionValues } from './http-server.js';
import {
  addCommonOptions,
  addConsumeOptions,
  addFollowOptions,
  addProduceOptions,
  addRetentionOptions,
  consumeTuning,
  followTuning,
  produceTuning,
} from './options.js';
import type {
  CommonOptionValues,
  ConsumeOptionValues,
  FollowOptionValues,
  ProduceOptionValues,
  RetentionOptionValues,
} from './options.js';
import { retentionSettingsOf } from './retention-parts.js';
import { openFollower, watchFollowing } from './follow-parts.js';
import { startPipeline } from './start-pipeline.js';
import { numberOption, simulatedFormatOf, startTrafficFile } from './demo-traffic.js';
import { printReport } from './summary.js';

type RunCommandOptions = ProduceOptionValues &
  ConsumeOptionValues &
  RetentionOptionValues &
  CommonOptionValues &
  FollowOptionValues &
  MetricsOptionValues & {
    readonly rate?: string;
    readonly seed?: string;
    readonly dashboardPort: string;
  };

/** What a running `run` offers to what plugs into it (the dashboard, metrics endpoints). */
export interface RunParts {
  readonly context: CommandContext;
  readonly broker: BrokerConnection;
  readonly store: Store;
  readonly consumers: RunningConsumers;
  /** The process's one registry: what the producer and the consumers of this `run` count. */
  readonly metrics: Metrics;
  /** Where the dashboard listens (`--dashboard-port`, on the loopback). */
  readonly dashboardListen: Listen;
}

/** Where the dashboard and the metrics plug into `run`, without `run` knowing them. */
export interface RunExtensions {
  /** Starts HTTP endpoints; `run` prints their URL and closes them on the way out. */
  readonly startEndpoints?: (
    parts: RunParts,
  ) => Promise<{ readonly url: string; close(): Promise<void> } | undefined>;
  /** Called after each batch RabbitMQ confirmed. */
  readonly onConfirmed?: (batch: LineBatch) => void;
}

/**
 * The demo's traffic file, under the state directory. Its base name is its source name: not
 * `access.log`, which `samples/access.log` and most real logs are called, so that the demo's rows
 * never mix with theirs in the tables or in the dashboard's source filter.
 */
const DEMO_FILE = 'demo.log';
/** Lines per second of the demo traffic when `run` is given no path. */
const DEMO_RATE = '20';
/** Where the dashboard of `run` listens: http://127.0.0.1:3000. */
const DASHBOARD_HOST = '127.0.0.1';
const DASHBOARD_PORT = '3000';
/** How often the status line's count of this process's lines stored is brought up to date, in ms. */
const STORED_COUNT_MS = 1000;
/** How long a stopping `run` waits for what it published to be stored, in ms. */
const DRAIN_ON_STOP_MS = 5000;

export function registerRunCommand(
  program: Command,
  globals: () => GlobalOptions,
  extensions: RunExtensions = {},
): void {
  addMetricsOptions(
    addCommonOptions(
      addRetentionOptions(
        addConsumeOptions(
          addFollowOptions(
            addProduceOptions(
              program
                .command('run')
                .description(
                  'follow the files (paths or globs) into MySQL, live, in one process; with no path, simulated traffic',
                )
                .argument(
                  '[paths...]',
                  'access logs to follow (default: simulated traffic under --state-dir)',
                )
                .option(
                  '--rate <lines/s>',
                  'lines per second of the simulated traffic (with no path)',
                  DEMO_RATE,
                )
                .option('--seed <n>', 'seed of the simulated traffic (with no path)')
                .option(
                  '--dashboard-port <port>',
                  'port of the dashboard (and its /metrics) on 127.0.0.1; 0 picks a free one',
                  DASHBOARD_PORT,
                ),
            ),
            false,
          ),
        ),
        false,
      ),
    ),
  ).action((paths: string[], options: RunCommandOptions) => run(paths, globals(), options, extensions));
}

async function run(
  paths: readonly string[],
  globals: GlobalOptions,
  options: RunCommandOptions,
  extensions: RunExtensions,
): Promise<void> {
  const format = formatOption(options.format, options);
  const dashboardListen = listenOf(DASHBOARD_HOST, options.dashboardPort, '--dashboard-port') ?? {
    host: DASHBOARD_HOST,
    port: Number(DASHBOARD_PORT),
  };
  const metricsListen = listenOf(options.metricsHost, options.metricsPort, '--metrics-port');
  const retention = retentionSettingsOf(options);
  const context = createContext(globals, {
    ...produceTuning(options),
    ...consumeTuning(options),
    ...followTuning(options),
  });
  const demo = paths.length === 0;
  const demoPath = join(context.config.tuning.stateDir, 'demo', DEMO_FILE);
  await withCleanups(context.log, async (resources) => {
    const traffic = demo
      ? await startTrafficFile(demoPath, {
          rate: numberOption('--rate', options.rate, Number(DEMO_RATE), 0.001, 1_000_000),
          seed: numberOption('--seed', options.seed, Date.now() % 1_000_000, -1e15, 1e15),
          format: simulatedFormatOf(options.format),
          signal: new AbortController().signal,
        })
      : undefined;
    if (traffic) resources.defer(() => traffic.stop());
    // The demo's writer stops first, then the follower reads the file to its end: nothing written is left.
    const stopFollowing = new AbortController();
    context.signal.addEventListener(
      'abort',
      () => void (traffic?.stop() ?? Promise.resolve()).finally(() => stopFollowing.abort()),
      { once: true },
    );
    if (context.signal.aborted) stopFollowing.abort();
    const follower = await openFollower(context, {
      patterns: demo ? [demoPath] : paths,
      from: options.from === 'end' ? 'end' : 'start',
      source: options.source,
      signal: stopFollowing.signal,
    });
    // The status line's "stored": this process's lines in raw_log, whoever stored them. Its own
    // consumers' count would take in other producers' lines (an ingest sharing the queues) and
    // leave out its lines that another consumer stored.
    const status = options.progress && options.json !== true;
    const ownLines = trackStoredLines<string>();
    const pipeline = await startPipeline(context, resources, {
      connection: 'run',
      setup: options.setup,
      metrics: { listen: metricsListen, always: true },
      consume: { roles: ['raw', 'clean'], format, enrich: options, retention },
      serve: async (parts) => extensions.startEndpoints?.({ ...parts, context, dashboardListen }),
      publish: {
        sources: [follower],
        onConfirmed: (batch) => {
          if (status) ownLines.add(batch.source, batch);
          extensions.onConfirmed?.(batch);
        },
      },
    });
    const { broker, store, consumers, endpoints, metricsEndpoints, publishing, startedAt } = pipeline;
    const counting = status ? checkStoredEvery(store.db, ownLines, STORED_COUNT_MS) : undefined;
    if (counting) resources.defer(() => counting.stop());
    // The consumers finish what they hold before anything above them stops.
    const stopConsumers = resources.defer(pipeline.stopConsumers);
    const following = watchFollowing(context, follower, publishing, {
      status,
      stored: () => ownLines.inRawLog,
      metrics: pipeline.metrics,
    });
    context.log.info(
      {
        following: demo ? `simulated traffic in ${demoPath}` : paths.join(' '),
        database: context.config.db.address,
        tables: 'raw_log, clean_log, rejected_log',
        ...(endpoints && { dashboard: endpoints.url }),
        ...(metricsEndpoints && { metrics: `${metricsEndpoints.url}/metrics` }),
      },
      'lograbbit is running; Ctrl-C to stop',
    );
    const produced = await following;
    await traffic?.stop();
    // What was published is stored before the report, unless that takes long (it stays queued).
    const patience = AbortSignal.timeout(DRAIN_ON_STOP_MS);
    await waitUntilDrained(broker, consumers, { signal: patience });
    if (patience.aborted) {
      context.log.warn(
        { waitedMs: DRAIN_ON_STOP_MS },
        'stopped before every published line was stored; the rest stays queued for the next run or consume',
      );
    }
    await stopConsumers();
    printReport(
      {
        command: 'run',
        inputs: demo ? 1 : paths.length,
        seconds: (performance.now() - startedAt) / 1000,
        interrupted: context.signal.aborted,
        produced,
        consumed: consumers,
      },
      options.json === true,
    );
  });
}
