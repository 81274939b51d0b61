/**
 * Following files as `produce --follow` and `run` do it: the follower with the configured tuning (a
 * source that `startPipeline` publishes, checkpoints moved on each confirm), then a status line and
 * the follow-lag gauge while it runs.
 */
import { stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { Publishing, ProduceCounts } from '../pipeline/index.js';
import { followFiles } from '../sources/index.js';
import type { FileFollower } from '../sources/index.js';
import type { PipelineMetrics } from '../telemetry/index.js';
import type { CommandContext } from './context.js';
import { startStatusLine } from './status-line.js';

export interface FollowerOptions {
  readonly patterns: readonly string[];
  readonly from: 'start' | 'end';
  readonly source?: string;
  /** Stops following (default: the command's shutdown signal). */
  readonly signal?: AbortSignal;
}

/** The follower of `patterns`, checked (a directory is a usage error), not started yet. */
export async function openFollower(context: CommandContext, options: FollowerOptions): Promise<FileFollower> {
  const { tuning } = context.config;
  await refuseDirectories(options.patterns);
  return followFiles({
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
}

export interface FollowWatchOptions {
  /** Show the status line (on a terminal; log lines elsewhere). */
  readonly status: boolean;
  /** Lines of this process stored so far, when it also consumes (for the status line). */
  readonly stored?: () => number;
  /** Where the follow lag is reported (the registry the process serves at /metrics). */
  readonly metrics?: PipelineMetrics | undefined;
}

/**
 * Says the follower runs, and keeps its status line and lag gauge until `publishing` is done: after
 * the shutdown signal, once everything read is confirmed and checkpointed. Resolves with its counts.
 */
export function watchFollowing(
  context: CommandContext,
  follower: FileFollower,
  publishing: Publishing,
  options: FollowWatchOptions,
): Promise<ProduceCounts> {
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
    { patterns: follower.name, stateDir: context.config.tuning.stateDir },
    'following; Ctrl-C to stop',
  );
  const lag = options.metrics ? reportFollowLag(follower, options.metrics) : undefined;
  return publishing.done.finally(() => {
    status.stop();
    if (lag) clearInterval(lag);
  });
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
