import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRowEncoder, datetimeOf, newSecondCache } from '../../../src/store/load-data-input.js';
import type { RowEncoder } from '../../../src/store/load-data-input.js';

/** The whole input of these rows, as the server reads it. */
function encodeWith(encoder: RowEncoder, rows: readonly object[]): Buffer {
  const input = encoder.start();
  input.append(rows);
  const bytes = Buffer.concat(input.pieces());
  assert.equal(bytes.length, input.length);
  return bytes;
}

const encoder = createRowEncoder([
  { key: 'id', kind: 'bytes' },
  { key: 'name', kind: 'text' },
  { key: 'n', kind: 'text' },
  { key: 'flag', kind: 'text' },
  { key: 'at', kind: 'text' },
  { key: 'line', kind: 'bytes' },
  { key: 'extra', kind: 'text' },
]);
const encode = (rows: readonly object[]): Buffer => encodeWith(encoder, rows);

test('fields are tab-separated, rows end with a newline, NULL is \\N', () => {
  const input = encode([
    {
      id: Buffer.from('ab'),
      name: 'é',
      n: 42,
      flag: true,
      at: new Date(Date.UTC(2026, 11, 1, 9, 5, 7, 12)),
      line: Buffer.from('GET /'),
      extra: { k: 'v' },
    },
    { id: Buffer.from('c'), name: null, n: null, flag: false, at: null, line: null, extra: null },
  ]);
  assert.equal(
    input.toString('utf8'),
    'ab\té\t42\t1\t2026-12-01 09:05:07.012\tGET /\t{"k":"v"}\n' + 'c\t\\N\t\\N\t0\t\\N\t\\N\t\\N\n',
  );
});

test('the four special bytes are escaped in text and in bytes; other bytes pass as they are', () => {
  const hostile = Buffer.from([0x5c, 0x09, 0x0a, 0x00, 0xff, 0x0d, 0x4e]);
  const input = encode([
    { id: hostile, name: 'a\\b\tc\nd\0e', n: 1, flag: false, at: null, line: hostile, extra: null },
  ]);
  const escaped = Buffer.from([0x5c, 0x5c, 0x5c, 0x74, 0x5c, 0x6e, 0x5c, 0x30, 0xff, 0x0d, 0x4e]);
  assert.deepEqual(
    input,
    Buffer.concat([
      escaped,
      Buffer.from('\ta\\\\b\\tc\\nd\\0e\t1\t0\t\\N\t'),
      escaped,
      Buffer.from('\t\\N\n'),
    ]),
  );
});

test('an input larger than the first buffer grows without losing bytes', () => {
  const rows = Array.from({ length: 3000 }, (_, n) => ({
    id: Buffer.from([n & 0xff, n >> 8]),
    name: `row ${n} ${'x'.repeat(100)}`,
    n,
    flag: n % 2 === 0,
    at: null,
    line: Buffer.alloc(50, 0x41),
    extra: null,
  }));
  const lines = encode(rows).toString('latin1').split('\n');
  assert.equal(lines.length, 3001);
  assert.equal(lines[2999]?.split('\t')[1], `row 2999 ${'x'.repeat(100)}`);
});

test('a DATETIME is the UTC time with milliseconds, for any second and millisecond', () => {
  fc.assert(
    fc.property(
      fc.date({
        min: new Date('1000-01-01T00:00:00.001Z'),
        max: new Date('9999-12-31T23:59:59.999Z'),
        noInvalidDate: true,
      }),
      fc.date({
        noInvalidDate: true,
        min: new Date('1000-01-01T00:00:00Z'),
        max: new Date('9999-12-31T23:59:59.999Z'),
      }),
      (first, second) => {
        // One cache through dates of the same second, of another, and back: each is formatted right.
        // (A millisecond earlier, not later: 9999-12-31T23:59:59.999 + 1 ms leaves DATETIME's range.)
        const cache = newSecondCache();
        for (const date of [first, second, new Date(first.getTime() - 1), first]) {
          const iso = date.toISOString();
          assert.equal(datetimeOf(date, cache), `${iso.slice(0, 10)} ${iso.slice(11, 23)}`);
        }
      },
    ),
  );
});

test('a released input is written over by the next; one still out is never touched', () => {
  const rowOf = (name: string) => ({ id: null, name, n: 1, flag: true, at: null, line: null, extra: null });
  const inputOf = (name: string) => {
    const input = encoder.start();
    input.append([rowOf(name)]);
    return input;
  };
  const first = inputOf('first');
  const second = inputOf('second');
  const memoryOf = (input: ReturnType<typeof inputOf>) => input.pieces()[0]?.buffer;
  assert.notEqual(memoryOf(first), memoryOf(second), 'two inputs out at once have their own memory');
  const firstMemory = memoryOf(first);
  first.release();
  const third = inputOf('third');
  assert.equal(memoryOf(third), firstMemory, 'the released chunk is reused');
  assert.equal(Buffer.concat(third.pieces()).toString('utf8'), '\\N\tthird\t1\t1\t\\N\t\\N\t\\N\n');
  assert.equal(
    Buffer.concat(second.pieces()).toString('utf8'),
    '\\N\tsecond\t1\t1\t\\N\t\\N\t\\N\n',
    'untouched while out',
  );
  // Released twice, a chunk would be handed to two inputs at once.
  third.release();
  third.release();
  const fourth = inputOf('fourth');
  const fifth = inputOf('fifth');
  assert.notEqual(memoryOf(fourth), memoryOf(fifth));
});

test('a long value with nothing to escape is sent where it lies, not copied', () => {
  const line = Buffer.alloc(1024 * 1024, 0x61);
  const input = encoder.start();
  input.append([{ id: Buffer.from('a'), name: 'x', n: 1, flag: true, at: null, line, extra: null }]);
  const pieces = input.pieces();
  assert.ok(
    pieces.some((piece) => piece === line),
    'the line itself is one of the pieces',
  );
  assert.equal(input.length, line.length + 'a\tx\t1\t1\t\\N\t\t\\N\n'.length);
  assert.deepEqual(
    Buffer.concat(pieces),
    Buffer.concat([Buffer.from('a\tx\t1\t1\t\\N\t'), line, Buffer.from('\t\\N\n')]),
  );
});

test('long values with bytes to escape, and long texts, are written whole across chunks', () => {
  const pair = createRowEncoder([
    { key: 'text', kind: 'text' },
    { key: 'bytes', kind: 'bytes' },
  ]);
  // Every byte value, the four special ones among them, over several chunks of the encoder.
  const bytes = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 7 }, (_, n) => (n * 7919) & 0xff));
  const text = `é\t${'a'.repeat(700_000)}\\`;
  const rows = [
    { text, bytes },
    { text: 'next', bytes: Buffer.from('ok') },
  ];
  assert.deepEqual(
    encodeWith(pair, rows),
    Buffer.concat([
      escapedReference(Buffer.from(text, 'utf8')),
      Buffer.from('\t'),
      escapedReference(bytes),
      Buffer.from('\nnext\tok\n'),
    ]),
  );
});

test('rows appended to a started input, a few at a time, make the same bytes as one call', () => {
  const rowOf = (n: number) => ({
    id: Buffer.from([n, 0x09]),
    name: `é${n}\t`,
    n,
    flag: n % 2 === 0,
    at: new Date(Date.UTC(2026, 11, 1, 0, 0, n)),
    line: Buffer.from(`GET /${n}`),
    extra: null,
  });
  const rows = Array.from({ length: 250 }, (_, n) => rowOf(n));
  const whole = encode(rows);
  const input = encoder.start();
  for (let at = 0; at < rows.length; at += 100) input.append(rows.slice(at, at + 100));
  assert.equal(input.rows, 250);
  assert.deepEqual(Buffer.concat(input.pieces()), whole);
  assert.throws(() => input.append([rowOf(1)]), /already taken/, 'sent bytes are never written over');
});

/** The reference: a value's UTF-8 (or its bytes), with a backslash before the four special bytes. */
function escapedReference(bytes: Buffer): Buffer {
  const letters: Record<number, number> = { 0x5c: 0x5c, 0x09: 0x74, 0x0a: 0x6e, 0x00: 0x30 };
  return Buffer.from(
    [...bytes].flatMap((byte) => (letters[byte] === undefined ? [byte] : [0x5c, letters[byte]])),
  );
}

test('any text and any bytes are written as their escaped UTF-8 and bytes', () => {
  const pair = createRowEncoder([
    { key: 'text', kind: 'text' },
    { key: 'bytes', kind: 'bytes' },
  ]);
  fc.assert(
    fc.property(
      // Full Unicode, lone surrogates and the special characters included.
      fc.oneof(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: fc.constantFrom('\\', '\t', '\n', '\0', 'é', 'a') }),
      ),
      // Short (an event id) and long (a line): the two are converted differently.
      fc.oneof(fc.uint8Array({ maxLength: 16 }), fc.uint8Array({ minLength: 33, maxLength: 300 })),
      (text, bytes) => {
        const expected = Buffer.concat([
          escapedReference(Buffer.from(text, 'utf8')),
          Buffer.from('\t'),
          escapedReference(Buffer.from(bytes)),
          Buffer.from('\n'),
        ]);
        assert.deepEqual(encodeWith(pair, [{ text, bytes: Buffer.from(bytes) }]), expected);
      },
    ),
  );
});

test('an input never released is left to the garbage collector, not kept by the encoder', async () => {
  // An input whose sending failed is never given back; the encoder must not hold it for good. gc()
  // needs --expose-gc, so this runs in a process of its own. WeakRef.deref() keeps its target alive
  // to the end of the current job, so it is called once, after the collections.
  const script = `
    import { createRowEncoder } from ${JSON.stringify(new URL('../../../src/store/load-data-input.ts', import.meta.url).href)};
    const encoder = createRowEncoder([{ key: 'name', kind: 'text' }]);
    const memoryOf = () => {
      const input = encoder.start();
      input.append([{ name: 'never released' }]);
      return new WeakRef(input.pieces()[0].buffer);
    };
    const memory = memoryOf();
    for (let round = 0; round < 3; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    await new Promise((resolve) => setImmediate(resolve));
    process.stdout.write(memory.deref() === undefined ? 'collected' : 'kept');
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--input-type=module', '--eval', script],
    { cwd: fileURLToPath(new URL('../../../', import.meta.url)) },
  );
  assert.equal(stdout, 'collected');
});
