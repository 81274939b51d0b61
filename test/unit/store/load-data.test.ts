/**
 * The LOAD DATA writer's handling of its input buffer around failures, with a stand-in connection
 * (the SQL itself is covered by the integration tests against MariaDB): an input whose sending failed
 * is never reused, since the lost connection may still be reading it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import type { PoolConnection } from 'mysql2/promise';
import { loadDataInto } from '../../../src/store/load-data.js';
import { rawLog } from '../../../src/store/schema.js';
import type { RawRow } from '../../../src/store/schema.js';

const rowOf = (n: number): RawRow => ({
  eventId: Buffer.alloc(16, n),
  source: 'test',
  receivedAt: new Date(Date.UTC(2026, 11, 1)),
  ts: null,
  day: '1000-01-01',
  line: Buffer.from(`line ${n}`),
  truncated: false,
});

/** A connection that reads each input it is given, then answers or fails as told. */
function standIn(answer: () => 'ok' | 'lost') {
  const inputs: Buffer[] = [];
  const connection = {
    async query(options: { infileStreamFactory: () => Readable }) {
      const chunks: Buffer[] = [];
      for await (const chunk of options.infileStreamFactory()) chunks.push(chunk as Buffer);
      inputs.push(chunks[0] as Buffer);
      if (answer() === 'lost') throw Object.assign(new Error('lost'), { code: 'PROTOCOL_CONNECTION_LOST' });
      const rows = Buffer.concat(chunks).toString('latin1').split('\n').length - 1;
      return [{ info: `Records: ${rows}  Deleted: 0  Skipped: 0  Warnings: 0`, affectedRows: rows }];
    },
  } as unknown as PoolConnection;
  return { connection, inputs };
}

test('an input is sent again as it is after a failure, and its buffer is never reused after one', async () => {
  const writer = loadDataInto<RawRow>(rawLog);
  let failures = 1;
  const { connection, inputs } = standIn(() => (failures-- > 0 ? 'lost' : 'ok'));

  const first = writer();
  first.add([rowOf(1)]);
  first.add([rowOf(2)]);
  await assert.rejects(first.send(connection), /lost/);
  assert.equal(await first.send(connection), 2, 'the retry sends both rows');
  assert.deepEqual(inputs[1], inputs[0], 'the same bytes');
  assert.equal(inputs[1]?.buffer, inputs[0]?.buffer, 'from the same memory: not encoded again');
  first.release();

  const second = writer();
  second.add([rowOf(3)]);
  await second.send(connection);
  assert.notEqual(inputs[2]?.buffer, inputs[0]?.buffer, 'a buffer that was in a failed send is not reused');
  second.release();

  const third = writer();
  third.add([rowOf(4)]);
  await third.send(connection);
  assert.equal(inputs[3]?.buffer, inputs[2]?.buffer, 'a buffer released after a clean send is reused');
  assert.match(inputs[3]?.toString('latin1') ?? '', /\tline 4\t0\n$/);
});

test('a large input reaches the driver in views of 256 KiB at most, which make it whole', async () => {
  const writer = loadDataInto<RawRow>(rawLog);
  const pieces: Buffer[] = [];
  const connection = {
    async query(options: { infileStreamFactory: () => Readable }) {
      for await (const chunk of options.infileStreamFactory()) pieces.push(chunk as Buffer);
      return [{ info: 'Records: 1  Deleted: 0  Skipped: 0  Warnings: 0', affectedRows: 1 }];
    },
  } as unknown as PoolConnection;
  const input = writer();
  const line = Buffer.alloc(1024 * 1024, 0x61);
  input.add([{ ...rowOf(1), line }]);
  await input.send(connection);
  assert.ok(pieces.length >= 4, `${pieces.length} pieces`);
  assert.ok(pieces.every((piece) => piece.length <= 256 * 1024));
  const whole = Buffer.concat(pieces);
  assert.match(whole.subarray(-20).toString('latin1'), /a{8}\t0\n$/);
  assert.ok(whole.includes(line), 'the line whole, in order');
  assert.equal(
    pieces.filter((piece) => piece.buffer === line.buffer).reduce((sum, piece) => sum + piece.length, 0),
    line.length,
    'the line is sent as views of itself, not copied',
  );
  input.release();
});
