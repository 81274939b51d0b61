/** The likely cause named when most lines of an input are rejected, from a sample of its rejects. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isMostlyRejected, likelyCauseOf } from '../../../src/cli/rejected-inputs.js';
import type { RejectedLine } from '../../../src/cli/rejected-inputs.js';
import { parseLine } from '../../../src/formats/index.js';
import type { FormatChoice } from '../../../src/formats/index.js';

/** Each line rejected as the consumer rejects it, with `format`. */
const rejectsOf = (lines: readonly (string | Buffer)[], format: FormatChoice): RejectedLine[] =>
  lines.flatMap((line) => {
    const bytes = Buffer.isBuffer(line) ? line : Buffer.from(line);
    const result = parseLine(bytes.toString('utf8'), format);
    return result.ok ? [] : [{ line: bytes.subarray(0, 256), reason: result.reason }];
  });

const README = readFileSync(new URL('../../../samples/README.md', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');
const PROXY_LINES = readFileSync(new URL('../../../samples/access.log', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '');

test('more than half rejected is "most"', () => {
  assert.equal(isMostlyRejected(40, 38), true);
  assert.equal(isMostlyRejected(40, 20), false);
  assert.equal(isMostlyRejected(306, 1), false);
  assert.equal(isMostlyRejected(1, 1), true);
  assert.equal(isMostlyRejected(0, 0), false);
});

test('a README read with auto-detection: not an access log, and which format came closest', () => {
  const cause = likelyCauseOf(rejectsOf(README, 'auto'));
  assert.match(cause, /^not an access log\? no format matched its lines \(format: auto; closest: [a-z-]+\)$/);
});

test('a binary file: NUL and control bytes, or bytes that are not UTF-8', () => {
  const elf = [
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]),
    Buffer.from([0x41, 0x42, 0xff, 0xfe, 0x43]),
    Buffer.from('\u0001\u0002text'),
  ];
  assert.equal(likelyCauseOf(rejectsOf(elf, 'auto')), 'not text: a binary file?');
});

test('text cut in the middle of a character by the sample is still text', () => {
  const line = Buffer.from(`${'é'.repeat(127)}x`).subarray(0, 255); // ends inside an é
  assert.match(likelyCauseOf(rejectsOf([line], 'auto')), /^not an access log\?/);
});

test('a log in another format than the one asked for: names it, and points at auto', () => {
  assert.equal(
    likelyCauseOf(rejectsOf(PROXY_LINES.slice(0, 40), 'w3c')),
    'not in the w3c format? (format: w3c; --format auto tries each format)',
  );
});

test('lines over the maximum length', () => {
  const sample = [1, 2, 3].map(() => ({
    line: Buffer.from('x'.repeat(256)),
    reason: 'line longer than the maximum line length; only its first 65536 bytes were kept',
  }));
  assert.match(likelyCauseOf(sample), /--max-line-bytes/);
});

test('a custom format names its options', () => {
  const sample = [{ line: Buffer.from('nope'), reason: 'custom: expected " " at 4, got ""' }];
  assert.match(likelyCauseOf(sample), /--log-format or --apache-format/);
});
