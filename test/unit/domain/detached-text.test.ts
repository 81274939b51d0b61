/**
 * A text kept beyond its line must not keep the line: measured as the heap a thousand 20-character
 * texts hold once their 10 kB lines are gone, with and without `detachedText`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { detachedText } from '../../../src/domain/index.js';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

const LINES = 1000;
const LINE_CHARACTERS = 10_000;

/** Heap bytes still held by the texts `keep` makes of a thousand lines, once the lines are dropped. */
function heldBy(keep: (text: string) => string): { bytes: number; texts: string[] } {
  collect();
  const before = process.memoryUsage().heapUsed;
  const texts: string[] = [];
  for (let index = 0; index < LINES; index++) {
    // Made at run time, so that each line is a string of its own, as a decoded line is.
    const line = `${String(index).padStart(20, '0')}${'x'.repeat(LINE_CHARACTERS)}`;
    texts.push(keep(line.slice(0, 20)));
  }
  collect();
  return { bytes: process.memoryUsage().heapUsed - before, texts };
}

test('a detached text holds its own characters, not its line', () => {
  const sliced = heldBy((text) => text);
  const detached = heldBy(detachedText);
  assert.deepEqual(detached.texts, sliced.texts);
  // The slices keep every line (about 10 MB); the detached texts keep about 40 kB of characters.
  assert.ok(sliced.bytes > LINES * LINE_CHARACTERS * 0.8, `slices held ${sliced.bytes} bytes`);
  assert.ok(detached.bytes < LINES * LINE_CHARACTERS * 0.1, `detached texts held ${detached.bytes} bytes`);
});

test('a short text is returned as it is, and any text keeps its characters', () => {
  assert.equal(detachedText('1.2.3.4'), '1.2.3.4');
  assert.equal(detachedText(''), '');
  const long = 'é/path/with/ünicode/😀/and/more';
  assert.equal(detachedText(long), long);
});
