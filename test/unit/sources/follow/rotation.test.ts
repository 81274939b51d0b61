/**
 * The rotation policy on plain files: a file no pattern matches is detached once; a detached file ends
 * only once quiet for the rotate wait; a newer generation waits while an older one has bytes to read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detachUnmatched, dueToEnd, waitingForOlder } from '../../../../src/sources/follow/rotation.js';
import type { RotatingFile } from '../../../../src/sources/follow/rotation.js';

interface File extends RotatingFile {
  detachedAtMs: number | undefined;
}

function file(key: string, overrides: Partial<Omit<File, 'detach'>> = {}): File {
  const made: File = {
    key,
    followedPath: '/logs/access.log',
    hasUnread: false,
    ended: false,
    detachedAtMs: undefined,
    lastGrowthAtMs: 0,
    ...overrides,
    detach(nowMs: number): boolean {
      if (made.detachedAtMs !== undefined || made.ended) return false;
      made.detachedAtMs = nowMs;
      return true;
    },
  };
  return made;
}

test('a file no pattern matches is detached once; a matched or ended one is not', () => {
  const matched = file('1-1');
  const gone = file('1-2');
  const ended = file('1-3', { ended: true });
  assert.deepEqual(detachUnmatched([matched, gone, ended], new Set(['1-1']), 500), [gone]);
  assert.equal(gone.detachedAtMs, 500);
  assert.deepEqual(detachUnmatched([matched, gone, ended], new Set(['1-1']), 900), [], 'said once');
  assert.equal(gone.detachedAtMs, 500, 'since it was first missed');
});

test('a detached file ends once quiet for the rotate wait, counted from its last growth if later', () => {
  const quiet = file('1-1', { detachedAtMs: 1000, lastGrowthAtMs: 400 });
  const grown = file('1-2', { detachedAtMs: 1000, lastGrowthAtMs: 1800, followedPath: '/logs/other.log' });
  const attached = file('1-3', { followedPath: '/logs/third.log' });
  assert.deepEqual(dueToEnd([quiet, grown, attached], 1999, 1000), []);
  assert.deepEqual(dueToEnd([quiet, grown, attached], 2000, 1000), [quiet]);
  assert.deepEqual(dueToEnd([quiet, grown, attached], 2800, 1000), [quiet, grown]);
});

test('a newer generation waits while an older one of its path has bytes to read', () => {
  const older = file('1-1', { hasUnread: true, detachedAtMs: 0 });
  const newer = file('1-2', { detachedAtMs: 0 });
  const elsewhere = file('1-3', { followedPath: '/logs/other.log', detachedAtMs: 0 });
  assert.deepEqual(waitingForOlder([older, newer, elsewhere]), new Set([newer]));
  assert.deepEqual(dueToEnd([older, newer, elsewhere], 10_000, 1000), [older, elsewhere]);
  assert.deepEqual(waitingForOlder([file('1-1', { detachedAtMs: 0 }), newer]), new Set());
});
