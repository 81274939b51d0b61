/**
 * Following files into RabbitMQ as `produce --follow` and `run` do it: the follower with the
 * configured tuning, published with confirms, checkpoints moved on each confirm, a status line.
 */
import { stat } from 'node:fs/promises';
import type { BrokerConnection, DeclaredTopology } from '../broker/index.js';
import { UsageError } from '../errors.js';
import type { LineBatch } from '../domain/index.js';
import { brokerPublisher, publishBatches } from '../pipeline/index.js';
import type { ProduceCounts } from '../pipeline/index.js';
import { followFiles } from '../sources/index.js';
import type { FileFollower } from '../sources/index.js';
import type { PipelineMetrics } from '../telemetry/index.js';
import type { CommandContext } from './context.js';
import { startStatusLine } from './status-line.js';

export interface FollowRunOptions {
  readonly patterns: readonly string[];
  readonly from: 'start' | 'end';
  readonly source?: string;
  /** From `declareTopology`; undefined with `--no-setup`. */
  readonly topology: DeclaredTopology | undefined;
  /** Show the status line (on a terminal; log lines elsewhere). */
  readonly status: boolean;
  /** Lines of this process stored so far, when it also consumes (for the status line). */
  readonly stored?: () => number;
  /** Called after each confirmed batch (checkpoints of run's own bookkeeping plug in here). */
  readonly onConfirmed?: (batch: LineBatch) => void;
  /** Counts lines read, published and confirmed (the registry the process serves at /metrics). */
  readonly metrics?: PipelineMetrics;
  /** Stops following (default: the command's shutdown signal). */
  readonly signal?: AbortSignal;
}

export interface FollowRun {
  readonly follower: FileFollower;
  /** Resolves after the shutdown signal, once everything read is confirmed and checkpointed. */
  readonly done: Promise<ProduceCounts>;
}

/** Starts following; it runs until the command's shutdown signal. */
export async function startFollowing(
  context: CommandContext,
  broker: BrokerConnection,
  options: FollowRunOptions,
): Promise<FollowRun> {
  const { tuning } = context.config;
  await refuseDirectories(options.patterns);
  const follower = await followFiles({
    patterns: options.patterns,
    stateDir: tuning.stateDir,
    from: options.from,
    source: options.source,
    batchLines: tuning.batchLines,
    batchBytes: tuning.batchBytes,
    maxLineBytes: tuning.maxLineBytes,
    batchLingerMs: tuning.batchLingerMs,
    pollIntervalMs: tuning.pollIntervalMs,
    rotateWaitMs: tuning.rotateWaitMs,
    log: context.log,
    signal: options.signal ?? context.signal,
  });
  const publisher = brokerPublisher(broker, {
    publishWindow: tuning.publishWindow,
    topology: options.topology,
    log: context.log,
    metrics: options.metrics,
  });
  // No signal here: the follower stops by its own, and hands out the complete lines it holds first.
  const publishing = publishBatches([follower], publisher, {
    onConfirmed: options.onConfirmed,
    metrics: options.metrics,
  });
  const status = startStatusLine(
    () => ({
      files: follower.counts.files,
      read: follower.counts.lines,
      published: publishing.counts.confirmed,
      stored: options.stored?.(),
    }),
    { log: context.log, enabled: options.status },
  );
  context.log.info(
    { patterns: options.patterns, stateDir: tuning.stateDir, from: options.from },
    'following; Ctrl-C to stop',
  );
  const lag = options.metrics ? reportFollowLag(follower, options.metrics) : undefined;
  const done = publishing.done.finally(() => {
    status.stop();
    if (lag) clearInterval(lag);
  });
  return { follower, done };
}

/**
 * A directory is not a file to follow, and following it would wait for ever for lines that never
 * come: say which glob to give instead (ingest and produce without --follow take directories).
 */
async function refuseDirectories(patterns: readonly string[]): Promise<void> {
  for (const pattern of patterns) {
    if (/[*?[]/.test(pattern)) continue;
    const isDirectory = await stat(pattern).then(
      (stats) => stats.isDirectory(),
      () => false,
    );
    if (isDirectory) {
      throw new UsageError(
        'LR_USAGE',
        `${pattern} is a directory; to follow the files in it, give a glob such as '${pattern.replace(/\/+$/, '')}/*.log' (quoted)`,
      );
    }
  }
}

/** How often the follow-lag gauge is brought up to date, in ms: a scrape sees it at most this old. */
const FOLLOW_LAG_EVERY_MS = 1000;

/** Keeps `lograbbit_follow_lag_bytes` per file up to date; a file no longer followed loses its series. */
function reportFollowLag(follower: FileFollower, metrics: PipelineMetrics): NodeJS.Timeout {
  let reported = new Set<string>();
  const timer = setInterval(() => {
    const now = new Set<string>();
    for (const { path, bytes } of follower.lag()) {
      metrics.followLag(path, bytes);
      now.add(path);
    }
    for (const path of reported) if (!now.has(path)) metrics.followLag(path, null);
    reported = now;
  }, FOLLOW_LAG_EVERY_MS);
  timer.unref();
  return timer;
}
