/** Runs a real follower over real temporary files and records what it hands out (no broker). */
import type { LineBatch } from '../../../../src/domain/index.js';
import { eventIdOf } from '../../../../src/domain/index.js';
import { followFiles } from '../../../../src/sources/index.js';
import type { FileFollower, FollowOptions } from '../../../../src/sources/index.js';

export interface Received {
  readonly source: string;
  readonly text: string;
  readonly offset: number;
  readonly eventId: string;
}

export interface Running {
  readonly follower: FileFollower;
  readonly received: Received[];
  /** Batches handed out and not confirmed (when `autoConfirm` is false). */
  readonly unconfirmed: LineBatch[];
  /** Waits until `count` lines arrived (fails after `timeoutMs`). */
  waitForLines(count: number, timeoutMs?: number): Promise<void>;
  /** Stops following and writes the checkpoints. */
  stop(): Promise<void>;
}

export async function startFollowing(
  options: Partial<FollowOptions> & Pick<FollowOptions, 'patterns' | 'stateDir'>,
  autoConfirm = true,
): Promise<Running> {
  const controller = new AbortController();
  const follower = await followFiles({
    from: 'start',
    batchLines: 3,
    batchBytes: 1 << 20,
    maxLineBytes: 4096,
    batchLingerMs: 10,
    pollIntervalMs: 25,
    rotateWaitMs: 100,
    signal: controller.signal,
    ...options,
  });
  const received: Received[] = [];
  const unconfirmed: LineBatch[] = [];
  const loop = (async () => {
    for await (const batch of follower.batches()) {
      for (const line of batch.lines) {
        received.push({
          source: batch.source,
          text: line.bytes.toString('latin1'),
          offset: line.offset,
          eventId: eventIdOf(batch.streamId, line.offset).toString('hex'),
        });
      }
      if (autoConfirm) follower.confirm(batch);
      else unconfirmed.push(batch);
    }
  })();
  return {
    follower,
    received,
    unconfirmed,
    async waitForLines(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${count} lines; got ${received.length}`);
        }
        await sleep(10);
      }
    },
    async stop() {
      controller.abort();
      await loop;
      await follower.close();
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` distinct lines named after `prefix`. */
export function linesOf(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix} line ${from + index}`);
}

export function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}
