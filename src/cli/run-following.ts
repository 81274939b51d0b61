/**
 * How `run` follows its files: as `startFollowing` in follow-parts.ts does, and counting lines read,
 * published and confirmed into the process's metrics (the registry `run` serves at /metrics). It is
 * a file of its own only until `startFollowing` takes a `metrics` option, which `produce --follow
 * --metrics-port` needs too; then `run` can call that and this file goes.
 */
import type { BrokerConnection } from '../broker/index.js';
import { publishLive } from '../pipeline/index.js';
import type { ProduceCounts } from '../pipeline/index.js';
import { followFiles } from '../sources/index.js';
import type { PipelineMetrics } from '../telemetry/index.js';
import type { CommandContext } from './context.js';
import type { FollowRun, FollowRunOptions } from './follow-parts.js';
import { startStatusLine } from './status-line.js';

/** Starts following, counted in `metrics`; it runs until `options.signal` (or the command's). */
export async function startRunFollowing(
  context: CommandContext,
  broker: BrokerConnection,
  options: FollowRunOptions & { readonly metrics: PipelineMetrics },
): Promise<FollowRun> {
  const { tuning } = context.config;
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
  const publishing = publishLive(broker, follower, {
    publishWindow: tuning.publishWindow,
    declare: options.declare,
    log: context.log,
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
  const done = publishing.done
    .finally(() => status.stop())
    .then((): ProduceCounts => ({
      lines: follower.counts.lines,
      blank: 0,
      truncated: 0,
      bytes: follower.counts.bytes,
      confirmed: publishing.counts.confirmed,
      messages: publishing.counts.messages,
    }));
  return { follower, counts: publishing.counts, done };
}
