/**
 * Which of a producer's lines are stored, whoever stored them, counted by event-id range in the real
 * tables: rows of other streams in the same tables are not counted, clean and rejected rows are told
 * apart per input, and a wait gives up once nothing more is stored.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventIdOf, streamIdOf } from '../../src/domain/index.js';
import type { LineBatch } from '../../src/domain/index.js';
import { trackStoredLines, waitUntilStored } from '../../src/pipeline/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { createTestServices, endpointOf } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';

let services: TestServices;
let store: Store;

before(async () => {
  services = await createTestServices('stored_lines');
  store = await openStore(endpointOf(services), { timeoutMs: 5000, setup: true });
});

after(async () => {
  await store?.close();
  await services?.teardown();
});

/** A batch of `count` lines of `source`, 100 bytes apart from `fromOffset`. */
function batchOf(source: string, fromOffset: number, count: number): LineBatch {
  return {
    source,
    streamId: streamIdOf(source, Buffer.from(`first line of ${source}`)),
    readAtMs: Date.now(),
    lines: Array.from({ length: count }, (_, index) => ({
      offset: fromOffset + index * 100,
      bytes: Buffer.from(`line ${index}`),
      truncated: false,
    })),
  };
}

/** Stores the lines of `batch` as a consumer would: raw, and clean or rejected as `clean` says. */
async function storeRows(
  batch: LineBatch,
  tables: { raw: boolean; clean?: (index: number) => boolean },
): Promise<void> {
  const sql = await services.sql();
  for (const [index, line] of batch.lines.entries()) {
    const id = eventIdOf(batch.streamId, line.offset);
    if (tables.raw) {
      await sql.query(
        "INSERT INTO raw_log (event_id, source, received_at, day, line) VALUES (?, ?, NOW(3), '1000-01-01', ?)",
        [id, batch.source, line.bytes],
      );
    }
    if (tables.clean === undefined) continue;
    if (tables.clean(index)) {
      await sql.query(
        `INSERT INTO clean_log (event_id, source, format, ts, utc_offset_min, is_email, status, bytes)
         VALUES (?, ?, 'common', NOW(3), 0, 0, 200, 1)`,
        [id, batch.source],
      );
    } else {
      await sql.query(
        "INSERT INTO rejected_log (event_id, source, received_at, day, line, reason) VALUES (?, ?, NOW(3), '1000-01-01', ?, 'no')",
        [id, batch.source, line.bytes],
      );
    }
  }
}

test('counts the lines of each input, stored by anyone, and nothing of other streams', async () => {
  const lines = trackStoredLines<string>({ keepRanges: true });
  const a1 = batchOf('a.log', 0, 10);
  const a2 = batchOf('a.log', 1000, 10);
  const b = batchOf('b.log', 0, 5);
  for (const [input, batch] of [
    ['a', a1],
    ['a', a2],
    ['b', b],
  ] as const)
    lines.add(input, batch);
  // Another stream's rows between a's ids and after them: never counted as a's.
  await storeRows(batchOf('other.log', 0, 30), { raw: true, clean: () => true });

  await storeRows(a1, { raw: true, clean: (index) => index % 2 === 0 });
  await storeRows(b, { raw: true });
  assert.equal(await lines.check(store.db), false);
  assert.equal(lines.published, 25);
  assert.equal(lines.inRawLog, 15, 'a1 and b are in raw_log; other.log is not counted');
  const before = lines.inputs();
  assert.deepEqual(
    { ...before.get('a'), ranges: undefined },
    { lines: 20, raw: 10, clean: 5, rejected: 5, ranges: undefined },
  );
  assert.deepEqual(
    { ...before.get('b'), ranges: undefined },
    { lines: 5, raw: 5, clean: 0, rejected: 0, ranges: undefined },
  );

  await storeRows(a2, { raw: true, clean: () => true });
  await storeRows(b, { raw: false, clean: () => false });
  assert.equal(await lines.check(store.db), true);
  assert.equal(lines.inRawLog, 25);
  const after = lines.inputs();
  assert.deepEqual(
    { ...after.get('a'), ranges: undefined },
    { lines: 20, raw: 20, clean: 15, rejected: 5, ranges: undefined },
  );
  assert.deepEqual(
    { ...after.get('b'), ranges: undefined },
    { lines: 5, raw: 5, clean: 0, rejected: 5, ranges: undefined },
  );
  assert.equal(after.get('a')?.ranges.length, 1, "a's two batches are one range of ids");
});

test('a wait gives up once no more of the lines is stored for its patience', async () => {
  const lines = trackStoredLines<string>();
  const batch = batchOf('never.log', 0, 3);
  lines.add('never', batch);
  await storeRows({ ...batch, lines: batch.lines.slice(0, 1) }, { raw: true, clean: () => true });
  assert.equal(await waitUntilStored(store.db, lines, { patienceMs: 300, pollIntervalMs: 50 }), false);
  assert.equal(lines.inRawLog, 1);
  await storeRows({ ...batch, lines: batch.lines.slice(1) }, { raw: true, clean: () => true });
  assert.equal(await waitUntilStored(store.db, lines, { patienceMs: 300, pollIntervalMs: 50 }), true);
});
