import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  ContiguousOffsets,
  openCheckpointStore,
  parseCheckpoint,
} from '../../../../src/sources/checkpoint/index.js';
import type { Checkpoint } from '../../../../src/sources/checkpoint/index.js';

test('the confirmed offset moves only over a prefix of confirmed batches', () => {
  const offsets = new ContiguousOffsets(100);
  const [a, b, c] = [offsets.sent(150), offsets.sent(200), offsets.sent(260)];
  assert.equal(offsets.confirm(c), undefined, 'the third alone moves nothing');
  assert.equal(offsets.confirm(a), 150);
  assert.equal(offsets.offset, 150);
  assert.equal(offsets.confirm(b), 260, 'the gap closed: up to the end of the third');
  assert.equal(offsets.outstanding, 0);
  assert.equal(offsets.confirm(b), undefined, 'a confirm twice changes nothing');
});

test('whatever the order of confirms, the offset is the end of the longest confirmed prefix', () => {
  fc.assert(
    fc.property(
      fc
        .array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 30 })
        .chain((sizes) => fc.tuple(fc.constant(sizes), fc.shuffledSubarray(sizes.map((_, index) => index)))),
      ([sizes, confirmedOrder]) => {
        const offsets = new ContiguousOffsets(0);
        let end = 0;
        const ends = sizes.map((size) => (end += size));
        const tickets = ends.map((batchEnd) => offsets.sent(batchEnd));
        const confirmed = new Set<number>();
        for (const index of confirmedOrder) {
          offsets.confirm(tickets[index] as number);
          confirmed.add(index);
          let prefix = 0;
          while (confirmed.has(prefix)) prefix++;
          assert.equal(offsets.offset, prefix === 0 ? 0 : ends[prefix - 1]);
        }
      },
    ),
  );
});

const checkpointOf = (offset: number): Checkpoint => ({
  version: 1,
  dev: '2049',
  ino: '18446744073709551615',
  fingerprint: { bytes: 12, sha256: 'ab'.repeat(32) },
  path: '/var/log/nginx/access.log',
  source: 'access.log',
  streamId: '0123456789abcdef',
  offset,
  updatedAt: new Date(0).toISOString(),
});

test('checkpoints are saved atomically, the latest wins, and read back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lograbbit-checkpoints-'));
  try {
    const store = await openCheckpointStore(join(dir, 'state'));
    const saves = [1, 2, 3, 4, 5].map((offset) => store.save(checkpointOf(offset * 100)));
    await Promise.all(saves);
    await store.flush();
    assert.deepEqual(await store.load(), [checkpointOf(500)]);
    assert.deepEqual(
      (await readdir(join(dir, 'state'))).filter((name) => name.endsWith('.tmp')),
      [],
      'no temporary file is left',
    );
    // A write a crash interrupted, and a file that is not a checkpoint: neither counts.
    await writeFile(join(dir, 'state', `1-2.checkpoint.json.99.0.tmp`), '{"vers');
    await writeFile(join(dir, 'state', `3-4.checkpoint.json`), 'not json');
    const problems: string[] = [];
    assert.deepEqual(await store.load((file, why) => problems.push(`${file}: ${why}`)), [checkpointOf(500)]);
    assert.deepEqual(problems, ['3-4.checkpoint.json: not JSON']);
    await store.remove('2049', '18446744073709551615');
    assert.deepEqual(await store.load(), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a checkpoint with a missing or wrong field is refused', () => {
  const good = checkpointOf(10);
  assert.deepEqual(parseCheckpoint(JSON.stringify(good)), good);
  for (const bad of [
    { ...good, version: 2 },
    { ...good, offset: -1 },
    { ...good, streamId: 'xyz' },
    { ...good, ino: 12 },
    { ...good, fingerprint: undefined },
  ]) {
    assert.equal(typeof parseCheckpoint(JSON.stringify(bad)), 'string', JSON.stringify(bad));
  }
});
