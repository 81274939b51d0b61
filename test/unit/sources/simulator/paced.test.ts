/**
 * The simulator's pacing: lines come out in groups of at most MAX_GROUP_LINES, even when asked for
 * more lines a second than the machine can make (a group used to hold every line due since the last,
 * growing without bound), and they are the simulator's own lines, in order, none lost or repeated.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_GROUP_LINES, createTrafficSimulator, pacedLines } from '../../../../src/sources/index.js';

void describe('pacedLines', () => {
  test('behind its rate, it releases bounded groups and every line once', async () => {
    const options = { seed: 7, startMs: Date.UTC(2026, 10, 1), format: 'combined' as const };
    const count = 6 * MAX_GROUP_LINES;
    const groups: number[] = [];
    const lines: string[] = [];
    const paced = pacedLines({ ...options, rate: 1_000_000, count, signal: new AbortController().signal });
    for await (const group of paced) {
      groups.push(group.length);
      lines.push(...group);
    }
    assert.ok(Math.max(...groups) <= MAX_GROUP_LINES, `largest group: ${Math.max(...groups)} lines`);
    assert.equal(lines.length, count);
    const expected = createTrafficSimulator({ ...options, linesPerSecond: 1_000_000 }).take(count);
    assert.deepEqual(lines, expected);
  });

  test('stops at its signal', async () => {
    const controller = new AbortController();
    let groups = 0;
    const paced = pacedLines({ seed: 1, format: 'common', rate: 1_000_000, signal: controller.signal });
    for await (const group of paced) {
      assert.ok(group.length <= MAX_GROUP_LINES);
      if (++groups === 3) controller.abort();
    }
    assert.equal(groups, 3);
  });
});
