import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPipelineSampler } from '../../../src/dashboard/index.js';
import type { PipelineReading } from '../../../src/dashboard/index.js';

function readings(list: PipelineReading[]): () => Promise<PipelineReading> {
  let i = 0;
  return () => {
    const next = list[Math.min(i++, list.length - 1)];
    return next instanceof Error || next === undefined
      ? Promise.reject(new Error('away'))
      : Promise.resolve(next);
  };
}

const reading = (lake: number, clean: number, raw: number, stored: number): PipelineReading => ({
  queues: [
    { queue: 'data-lake', ready: lake, consumers: 1 },
    { queue: 'data-clean', ready: clean, consumers: 1 },
    { queue: 'data-dead', ready: 3, consumers: 0 },
  ],
  rows: { raw, clean: stored - 1, rejected: 1 },
});

const options = { intervalMs: 1000, keep: 3, workQueues: ['data-lake', 'data-clean'], start: false };

describe('pipeline sampler', () => {
  test('rates are row differences per second between samples; the drain time follows the falling queues', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    const sampler = createPipelineSampler({
      ...options,
      read: readings([reading(100, 100, 0, 0), reading(60, 80, 400, 300), reading(60, 90, 400, 300)]),
    });
    const first = await sampler.sampleNow();
    assert.equal(first.inPerSecond, 0);
    assert.equal(first.drainSeconds, null);
    t.mock.timers.tick(2000);
    const second = await sampler.sampleNow();
    assert.equal(second.inPerSecond, 200);
    assert.equal(second.storedPerSecond, 150);
    // 200 → 140 waiting in 2 s: 30 messages/s, so 140 take about 4.7 s.
    assert.ok(second.drainSeconds !== null && Math.abs(second.drainSeconds - 140 / 30) < 1e-9);
    t.mock.timers.tick(2000);
    const third = await sampler.sampleNow();
    assert.equal(third.drainSeconds, null, 'a rising queue does not drain');
  });

  test('keeps the last `keep` samples and tells subscribers of each new one', async () => {
    const sampler = createPipelineSampler({ ...options, read: readings([reading(0, 0, 1, 1)]) });
    const seen: number[] = [];
    const stop = sampler.subscribe((sample) => seen.push(sample.t));
    for (let i = 0; i < 5; i++) await sampler.sampleNow();
    stop();
    await sampler.sampleNow();
    assert.equal(sampler.history().length, 3);
    assert.equal(seen.length, 5);
    const last = sampler.history().at(-1);
    assert.equal(last?.drainSeconds, 0, 'empty queues: nothing to drain');
  });

  test('a failed reading repeats the last values with the error, and rates restart after it', async () => {
    let fail = false;
    const sampler = createPipelineSampler({
      ...options,
      read: () =>
        fail ? Promise.reject(new Error('database away')) : Promise.resolve(reading(5, 5, 10, 10)),
    });
    await sampler.sampleNow();
    fail = true;
    const failed = await sampler.sampleNow();
    assert.equal(failed.error, 'database away');
    assert.equal(failed.rows.raw, 10);
    fail = false;
    const after = await sampler.sampleNow();
    assert.equal(after.error, undefined);
    assert.equal(after.inPerSecond, 0);
  });
});
