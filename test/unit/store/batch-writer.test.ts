/**
 * The batch writer's bookkeeping, with an in-memory `write` in place of SQL: which rows go together,
 * what is retried, what is refused. Its SQL side is covered by the integration tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createBatchWriter } from '../../../src/store/batch-writer.js';
import { addNow, batchesOf } from '../../helpers/row-writes.js';
import { PoisonMessageError } from '../../../src/errors.js';

const log = pino({ level: 'silent' });

/** A writer whose transactions are recorded: each commits all its rows as new. */
function recordingWriter(maxRows: number, flushIntervalMs: number) {
  const transactions: number[][] = [];
  const writer = createBatchWriter<number>({
    name: 't',
    maxRows,
    flushIntervalMs,
    log,
    begin: batchesOf((rows) => {
      transactions.push([...rows]);
      return Promise.resolve(rows.length);
    }),
  });
  return { writer, transactions };
}

test('units are gathered into few transactions and resolve after their commit', async () => {
  const { writer, transactions } = recordingWriter(5, 5);
  const committed: number[] = [];
  await Promise.all(
    [[1, 2], [3, 4], [5, 6], [7]].map((unit) => addNow(writer, unit).then(() => committed.push(...unit))),
  );
  assert.deepEqual(transactions, [
    [1, 2, 3, 4],
    [5, 6, 7],
  ]);
  assert.deepEqual(committed.sort(), [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual({ ...writer.stats }, { inserted: 7, duplicates: 0, transactions: 2 });
});

test('an outage is retried until the database is back; nothing is refused', async () => {
  let calls = 0;
  const writer = createBatchWriter<number>({
    name: 't',
    maxRows: 10,
    flushIntervalMs: 1,
    log,
    begin: batchesOf((rows) => {
      calls++;
      if (calls <= 2)
        return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      return Promise.resolve(rows.length - 1);
    }),
  });
  await addNow(writer, [1, 2]);
  assert.equal(calls, 3);
  assert.deepEqual({ ...writer.stats }, { inserted: 1, duplicates: 1, transactions: 1 });
});

test('a write conflict (Galera certification failure) writes the same batch again at once, as no outage', async () => {
  const deadlock = Object.assign(
    new Error('Deadlock found when trying to get lock; try restarting transaction'),
    {
      code: 'ER_LOCK_DEADLOCK',
      errno: 1213,
    },
  );
  const { writer, problems } = writerFailingFirst(3, deadlock);
  await addNow(writer, [1, 2]);
  // No outage is declared, so no outage backoff is taken (timings are for the bench, not tests).
  assert.deepEqual(problems, [undefined, undefined, undefined, undefined], 'never said to be an outage');
  assert.deepEqual({ ...writer.stats }, { inserted: 2, duplicates: 0, transactions: 1 });
});

/** A writer whose first `failures` writes fail with `error`; `problems` holds its `problem` at each write. */
function writerFailingFirst(failures: number, error: Error) {
  let left = failures;
  const problems: Array<string | undefined> = [];
  const writer = createBatchWriter<number>({
    name: 't',
    maxRows: 10,
    flushIntervalMs: 1,
    log,
    begin: batchesOf((rows) => {
      problems.push(writer.problem);
      if (left-- > 0) return Promise.reject(error);
      return Promise.resolve(rows.length);
    }),
  });
  return { writer, problems };
}

test('a refused batch is split so that only the unit the database refuses fails', async () => {
  const writer = createBatchWriter<string>({
    name: 't',
    maxRows: 100,
    flushIntervalMs: 5,
    log,
    begin: batchesOf((rows) => {
      if (rows.includes('bad'))
        return Promise.reject(Object.assign(new Error('Data too long'), { code: 'ER_DATA_TOO_LONG' }));
      return Promise.resolve(rows.length);
    }),
  });
  const results = await Promise.allSettled([
    addNow(writer, ['a', 'b']),
    addNow(writer, ['bad']),
    addNow(writer, ['c']),
  ]);
  assert.deepEqual(
    results.map((result) => result.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  const refused = results[1];
  assert.ok(refused?.status === 'rejected' && refused.reason instanceof PoisonMessageError);
  assert.match(String((refused.reason as Error).message), /Data too long/);
  assert.equal(writer.stats.inserted, 3);
});

test('flush writes what is pending without waiting for the interval', async () => {
  const written: number[] = [];
  const writer = createBatchWriter<number>({
    name: 't',
    maxRows: 100,
    flushIntervalMs: 60_000,
    log,
    begin: batchesOf((rows) => {
      written.push(...rows);
      return Promise.resolve(rows.length);
    }),
  });
  const pending = addNow(writer, [1, 2, 3]);
  await writer.flush();
  await pending;
  assert.deepEqual(written, [1, 2, 3]);
});

test('with concurrency 2, a second full batch is written while the first commits', async () => {
  let inFlight = 0;
  let most = 0;
  const releases: Array<() => void> = [];
  const writer = createBatchWriter<number>({
    name: 't',
    maxRows: 2,
    flushIntervalMs: 1000,
    concurrency: 2,
    log,
    begin: batchesOf(async (rows) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((resolve) => releases.push(resolve));
      inFlight--;
      return rows.length;
    }),
  });
  const units = [
    [1, 2],
    [3, 4],
    [5, 6],
  ].map((unit) => addNow(writer, unit));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(inFlight, 2, 'two full batches are written at once');
  assert.equal(releases.length, 2, 'the third waits for a free slot');
  const waiting = (): number => releases.length;
  for (let released = 0; released < 3; released++) {
    while (waiting() === 0) await new Promise((resolve) => setImmediate(resolve));
    releases.shift()?.();
  }
  await Promise.all(units);
  assert.equal(most, 2);
  assert.deepEqual({ ...writer.stats }, { inserted: 6, duplicates: 0, transactions: 3 });
});

test("addLater makes a unit's rows only when its transaction is formed, in order", async () => {
  const made: string[] = [];
  const transactions: number[][] = [];
  let releaseFirst: () => void = () => undefined;
  const firstCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
  const writer = createBatchWriter<number>({
    name: 't',
    maxRows: 2,
    flushIntervalMs: 1,
    log,
    begin: batchesOf(async (rows) => {
      transactions.push([...rows]);
      if (transactions.length === 1) await firstCommit;
      return rows.length;
    }),
  });
  const unit = (name: string, rows: number[]) =>
    writer.addLater(rows.length, 10, () => {
      made.push(name);
      return rows;
    });
  const done = [unit('a', [1, 2]), unit('b', [3, 4]), unit('c', [5, 6])];
  await new Promise((resolve) => setTimeout(resolve, 20));
  // One transaction at a time: a's is waiting for its commit, so b and c are not made yet.
  assert.deepEqual(made, ['a']);
  releaseFirst();
  await Promise.all(done);
  assert.deepEqual(made, ['a', 'b', 'c']);
  assert.deepEqual(transactions, [
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
});

test('a unit whose rows cannot be made fails alone; the others are written', async () => {
  const { writer, transactions } = recordingWriter(10, 1);
  const good = writer.addLater(1, 10, () => [1]);
  const bad = writer.addLater(1, 10, () => {
    throw new Error('a bug in the parser');
  });
  const after = addNow(writer, [3]);
  await assert.rejects(bad, /a bug in the parser/);
  await Promise.all([good, after]);
  assert.deepEqual(transactions, [[1, 3]]);
});

/** A writer with `begin`: records each batch's events (adds, writes, release). */
function batchingWriter(failWrites: (rows: readonly number[]) => 'transient' | 'refused' | 'ok') {
  const events: string[] = [];
  const writer = createBatchWriter<number>({
    name: 't',
    maxRows: 10,
    flushIntervalMs: 1,
    log,
    begin: () => {
      const rows: number[] = [];
      return {
        add(more) {
          events.push(`add ${more.join(',')}`);
          rows.push(...more);
        },
        write() {
          events.push(`write ${rows.join(',')}`);
          const outcome = failWrites(rows);
          if (outcome === 'transient')
            return Promise.reject(Object.assign(new Error('gone'), { code: 'PROTOCOL_CONNECTION_LOST' }));
          if (outcome === 'refused')
            return Promise.reject(Object.assign(new Error('Data too long'), { code: 'ER_DATA_TOO_LONG' }));
          return Promise.resolve(rows.length);
        },
        release: () => events.push('release'),
      };
    },
  });
  return { writer, events };
}

test('with begin, units are added one at a time; an outage writes the same batch again', async () => {
  let failures = 1;
  const { writer, events } = batchingWriter(() => (failures-- > 0 ? 'transient' : 'ok'));
  let made = 0;
  const later = writer.addLater(2, 10, () => {
    made++;
    return [1, 2];
  });
  await Promise.all([later, addNow(writer, [3])]);
  assert.equal(made, 1, 'an outage does not make the rows again: the batch already holds them');
  assert.deepEqual(events, ['add 1,2', 'add 3', 'write 1,2,3', 'write 1,2,3', 'release']);
  assert.deepEqual({ ...writer.stats }, { inserted: 3, duplicates: 0, transactions: 1 });
});

test('with begin, a refused batch is made again unit by unit; only the refused unit fails', async () => {
  const { writer, events } = batchingWriter((rows) => (rows.includes(66) ? 'refused' : 'ok'));
  let made = 0;
  const good = writer.addLater(1, 10, () => {
    made++;
    return [1];
  });
  const bad = addNow(writer, [66]);
  await assert.rejects(bad, PoisonMessageError);
  await good;
  assert.equal(made, 2, 'the rows of addLater are made again for their own transaction');
  assert.deepEqual(events, [
    'add 1',
    'add 66',
    'write 1,66',
    'release',
    'add 1',
    'write 1',
    'release',
    'add 66',
    'write 66',
    'release',
  ]);
});

/** A writer with `begin` whose batches refuse any row `refuses` says, and record what they commit. */
function isolatingWriter(
  refuses: (row: number) => boolean,
  options: { addThrows?: (row: number) => boolean; checkTables?: () => Promise<string | null> } = {},
) {
  const committed: number[] = [];
  let transactions = 0;
  const writer = createBatchWriter<number>({
    name: 't',
    maxRows: 100,
    flushIntervalMs: 1,
    log,
    checkTables: options.checkTables,
    begin: () => {
      const rows: number[] = [];
      return {
        add(more) {
          for (const row of more) {
            if (options.addThrows?.(row)) throw new RangeError('Invalid time value');
            rows.push(row);
          }
        },
        write() {
          transactions++;
          if (rows.some(refuses)) {
            return Promise.reject(
              Object.assign(new Error("Incorrect double value: 'Infinity'"), { errno: 1366 }),
            );
          }
          committed.push(...rows);
          return Promise.resolve(rows.length);
        },
        release: () => undefined,
      };
    },
  });
  return { writer, committed, transactions: () => transactions };
}

test('a refused row is found by halving its unit, and stored in its other form; the unit succeeds', async () => {
  const { writer, committed } = isolatingWriter((row) => row === 66);
  const replaced: string[] = [];
  const unit = writer.addLater(
    4,
    10,
    () => [1, 66, 3, 4],
    (row, reason) => {
      replaced.push(`${row}: ${reason}`);
      return -row;
    },
  );
  const neighbour = addNow(writer, [7, 8]);
  await Promise.all([unit, neighbour]);
  assert.deepEqual(
    [...committed].sort((a, b) => a - b),
    [-66, 1, 3, 4, 7, 8],
  );
  assert.deepEqual(replaced, ["66: Incorrect double value: 'Infinity'"]);
});

test('a row refused in every form fails its unit alone; its other rows and the neighbours are stored', async () => {
  const { writer, committed } = isolatingWriter((row) => Math.abs(row) === 66);
  const unit = writer.addLater(
    3,
    10,
    () => [1, 66, 3],
    (row) => -row,
  );
  const neighbour = addNow(writer, [7]);
  await assert.rejects(unit, (error: unknown) => {
    assert.ok(error instanceof PoisonMessageError);
    assert.match(error.message, /refused a row: Incorrect double value.*other form/);
    return true;
  });
  await neighbour;
  assert.deepEqual(
    [...committed].sort((a, b) => a - b),
    [1, 3, 7],
  );
});

test('a unit whose rows cannot be encoded is written a row at a time; no error escapes the writer', async () => {
  const { writer, committed } = isolatingWriter(() => false, { addThrows: (row) => row === 13 });
  const before = addNow(writer, [1]);
  const bad = writer.addLater(
    2,
    10,
    () => [12, 13],
    (row) => row * 100,
  );
  const after = addNow(writer, [2]);
  await Promise.all([before, bad, after]);
  assert.deepEqual(
    [...committed].sort((a, b) => a - b),
    [1, 2, 12, 1300],
  );
});

test('a refusal that is not about a row (a revoked privilege) is an outage: retried, said in `problem`', async () => {
  const denied = Object.assign(
    new Error("INSERT command denied to user 'lr'@'localhost' for table 'raw_log'"),
    {
      code: 'ER_TABLEACCESS_DENIED_ERROR',
      errno: 1142,
    },
  );
  const { writer, problems } = writerFailingFirst(3, denied);
  await addNow(writer, [1, 2]);
  assert.equal(problems[0], undefined);
  assert.match(String(problems[1]), /refuses writes: INSERT command denied/);
  assert.equal(writer.problem, undefined, 'cleared once a write goes through');
  assert.deepEqual({ ...writer.stats }, { inserted: 2, duplicates: 0, transactions: 1 });
});

test('a refusal of values while a table differs from the schema is an outage, not rejected rows', async () => {
  let changed = true;
  const { writer, committed } = isolatingWriter(() => changed, {
    checkTables: () =>
      Promise.resolve(changed ? 'clean_log.url is varchar(5), where lograbbit writes text' : null),
  });
  const unit = writer.addLater(
    2,
    10,
    () => [1, 2],
    () => {
      throw new Error('no row may be replaced while the table is changed');
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.match(String(writer.problem), /a table changed: clean_log\.url is varchar\(5\)/);
  changed = false;
  await unit;
  assert.deepEqual(committed, [1, 2]);
});
