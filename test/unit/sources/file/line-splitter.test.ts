import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineSplitter } from '../../../../src/sources/index.js';
import type { LineBatch } from '../../../../src/domain/index.js';
import { eventIdOf, streamIdOf } from '../../../../src/domain/index.js';

interface Seen {
  offset: number;
  text: string;
  truncated: boolean;
}

function split(
  content: Buffer,
  chunkSizes: readonly number[],
  options: Partial<{ batchLines: number; maxLineBytes: number }> = {},
) {
  const splitter = new LineSplitter({
    source: 's',
    batchLines: options.batchLines ?? 3,
    batchBytes: 1 << 20,
    maxLineBytes: options.maxLineBytes ?? 1000,
    now: () => 42,
  });
  const batches: LineBatch[] = [];
  let at = 0;
  for (let index = 0; at < content.length; index++) {
    const size = Math.max(1, chunkSizes[index % Math.max(1, chunkSizes.length)] ?? content.length);
    batches.push(...splitter.push(content.subarray(at, at + size)));
    at += size;
  }
  batches.push(...splitter.end());
  const lines: Seen[] = batches.flatMap((batch) =>
    batch.lines.map((line) => ({
      offset: line.offset,
      text: line.bytes.toString('latin1'),
      truncated: line.truncated,
    })),
  );
  return { batches, lines, counts: splitter.counts };
}

test('lines, offsets, CRLF, blank lines and a last line without newline', () => {
  const content = Buffer.from('a\r\nbb\n\n  \ncc\r\n\tdd \nlast');
  const { lines, counts, batches } = split(content, [content.length]);
  assert.deepEqual(lines, [
    { offset: 0, text: 'a', truncated: false },
    { offset: 3, text: 'bb', truncated: false },
    { offset: 10, text: 'cc', truncated: false },
    { offset: 14, text: '\tdd ', truncated: false },
    { offset: 19, text: 'last', truncated: false },
  ]);
  assert.deepEqual({ ...counts }, { lines: 5, blank: 2, truncated: 0, bytes: content.length });
  assert.deepEqual(
    batches.map((batch) => batch.lines.length),
    [3, 2],
  );
  assert.ok(batches.every((batch) => batch.readAtMs === 42 && batch.source === 's'));
});

test('the stream id is the hash of the source and the first non-blank line', () => {
  const { batches } = split(Buffer.from('\nfirst\nsecond\n'), [4]);
  assert.ok(batches[0]?.streamId.equals(streamIdOf('s', Buffer.from('first'))));
  const id = eventIdOf(streamIdOf('s', Buffer.from('first')), 7);
  assert.equal(id.length, 16);
  assert.equal(id.readBigUInt64BE(8), 7n);
});

test('a line longer than maxLineBytes is cut and flagged, and the next line keeps its offset', () => {
  const long = 'x'.repeat(25);
  const content = Buffer.from(`ok\n${long}\nafter\n`);
  for (const chunks of [[content.length], [1], [4, 7], [10]]) {
    const { lines, counts } = split(content, chunks, { maxLineBytes: 10 });
    assert.deepEqual(
      lines,
      [
        { offset: 0, text: 'ok', truncated: false },
        { offset: 3, text: 'x'.repeat(10), truncated: true },
        { offset: 29, text: 'after', truncated: false },
      ],
      `chunks ${chunks.join(',')}`,
    );
    assert.equal(counts.truncated, 1);
    assert.equal(counts.bytes, content.length);
  }
});

test('however the bytes are chunked, the same lines come out at the same offsets', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constantFrom('\n', '\r\n', ' ', '\r', 'é'), fc.string({ maxLength: 12 })), {
        maxLength: 40,
      }),
      fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 4, max: 40 }),
      (parts, chunkSizes, maxLineBytes) => {
        const content = Buffer.from(parts.join(''));
        const whole = split(content, [content.length || 1], { maxLineBytes });
        const chunked = split(content, chunkSizes, { maxLineBytes });
        assert.deepEqual(chunked.lines, whole.lines);
        assert.deepEqual(chunked.counts, whole.counts);
        assert.equal(whole.counts.bytes, content.length);
      },
    ),
  );
});
