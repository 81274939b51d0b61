/**
 * The rotation policy while following: when a followed file counts as rotated away (no pattern
 * matches it any more), when a rotated file is finished (quiet for the rotate wait), and in which
 * order generations of one path are read (an older one first, so lines keep their order). What
 * logrotate did while lograbbit was stopped is planned at start-up by `generations.ts`.
 */
import type { Tailer } from './tailer.js';

/** What the policy looks at in a followed file (a `Tailer`; a plain object in tests). */
export type RotatingFile = Pick<
  Tailer,
  'key' | 'followedPath' | 'hasUnread' | 'ended' | 'detachedAtMs' | 'lastGrowthAtMs' | 'detach'
>;

/**
 * Marks as detached the tailers whose file no pattern matches now (renamed or deleted): each is read
 * until quiet, then ended. Returns those detached just now.
 */
export function detachUnmatched<File extends RotatingFile>(
  tailers: Iterable<File>,
  matchedKeys: ReadonlySet<string>,
  nowMs: number,
): File[] {
  const detached: File[] = [];
  for (const tailer of tailers) {
    if (!matchedKeys.has(tailer.key) && tailer.detach(nowMs)) detached.push(tailer);
  }
  return detached;
}

/** Tailers not to read yet because an older generation of their path still has bytes to read. */
export function waitingForOlder<File extends RotatingFile>(tailers: Iterable<File>): Set<File> {
  const busy = new Set<string>();
  const waiting = new Set<File>();
  for (const tailer of tailers) {
    if (busy.has(tailer.followedPath)) waiting.add(tailer);
    else if (tailer.hasUnread) busy.add(tailer.followedPath);
  }
  return waiting;
}

/**
 * Detached tailers quiet for `rotateWaitMs` (since detached, or since their last growth, whichever
 * is later) and not waiting for an older generation: to be read to their end and ended now.
 */
export function dueToEnd<File extends RotatingFile>(
  tailers: Iterable<File>,
  nowMs: number,
  rotateWaitMs: number,
): File[] {
  const all = [...tailers];
  const waiting = waitingForOlder(all);
  return all.filter((tailer) => {
    if (tailer.ended || tailer.detachedAtMs === undefined || waiting.has(tailer)) return false;
    return nowMs - Math.max(tailer.detachedAtMs, tailer.lastGrowthAtMs) >= rotateWaitMs;
  });
}
