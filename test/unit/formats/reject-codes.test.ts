import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { FORMAT_NAMES, REJECT_CODES, type RejectCode } from '../../../src/domain/index.js';
import { createDetectMemo, parseLine, type FormatChoice } from '../../../src/formats/index.js';
import { rejectReasonClassOf } from '../../../src/telemetry/index.js';

const FIXTURES = new URL('../../fixtures/', import.meta.url);

/** Every line of every format fixture and real-world sample. */
function fixtureLines(): string[] {
  const lines: string[] = [];
  for (const dir of ['formats', 'real-world']) {
    for (const name of readdirSync(new URL(`${dir}/`, FIXTURES))) {
      if (!name.endsWith('.log')) continue;
      const text = readFileSync(new URL(`${dir}/${name}`, FIXTURES), 'utf8');
      lines.push(...text.split('\n').filter((line) => line.length > 0));
    }
  }
  return lines;
}

/** The line cut short, and with one character replaced, at a few places each: lines that fail. */
function damaged(line: string): string[] {
  const out: string[] = [];
  for (const fraction of [0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.95]) {
    const at = Math.floor(line.length * fraction);
    out.push(line.slice(0, at));
    for (const by of ['x', '"', ' ', '9', '{']) out.push(line.slice(0, at) + by + line.slice(at + 1));
  }
  return out;
}

/**
 * Where the code of a message is not the class the old regexes read from its text, on purpose:
 * those regexes knew neither a minute nor a second as a time, read "sc-status" in a `#Fields`
 * directive that lacks it as a bad status, and read the piece of the line that JSON.parse quotes
 * (`"status":x03` made a bad status of bad JSON): the very fault codes remove.
 */
const CORRECTED: ReadonlyArray<[RegExp, RejectCode]> = [
  [/bad (minute|second|fraction of a second)\b/, 'bad_time'],
  [/^w3c: #Fields has no/, 'directive'],
  [/^[a-z-]+: not JSON \(/, 'bad_json'],
];

/** A JSON-quoted piece of the line, as `quote` and `JSON.stringify` put it in a reason. */
const QUOTED = /"(?:[^"\\]|\\.)*"…?/g;

describe('reject codes', () => {
  const choices: ReadonlyArray<'auto' | (typeof FORMAT_NAMES)[number]> = ['auto', ...FORMAT_NAMES];
  const seen = new Map<RejectCode, string>();
  const moved: string[] = [];
  let rejections = 0;
  for (const line of fixtureLines().flatMap((whole) => [whole, ...damaged(whole)])) {
    for (const format of choices) {
      const result = parseLine(line, format, createDetectMemo());
      if (result.ok) continue;
      rejections++;
      if (!seen.has(result.code)) seen.set(result.code, result.reason);
      const text = result.reason.replace(/^no format matched; closest was /, '');
      const corrected = CORRECTED.find(([pattern]) => pattern.test(text));
      // The old label, and the old label had the quoted pieces of the line said nothing to the
      // regexes: either is the label the message meant (`got "…status…"` moved a layout to bad_status).
      const before = corrected
        ? [corrected[1]]
        : [rejectReasonClassOf(result.reason), rejectReasonClassOf(result.reason.replace(QUOTED, '"X"'))];
      if (!before.includes(result.code)) {
        moved.push(`${format}: ${result.reason} → ${result.code}, was ${before.join(' or ')}`);
      }
    }
  }

  test('a parser rejects with the label its reason was counted under before codes (damaged fixtures)', () => {
    // Enough rejections that the comparison covered each parser's ways to fail.
    assert.ok(rejections > 10_000, `${rejections} rejections`);
    assert.deepEqual(moved.slice(0, 10), [], `${moved.length} moved`);
  });

  test('every code a parser can give is given by some line of the corpus', () => {
    const fromParsers = REJECT_CODES.filter(
      (code) => !['too_long', 'out_of_range', 'refused_by_database'].includes(code),
    );
    const missing = fromParsers.filter((code) => !seen.has(code));
    assert.deepEqual(missing, [], `seen: ${JSON.stringify(Object.fromEntries(seen), null, 1)}`);
  });

  test('the code is fixed where the failure is found: what the line holds does not move it', () => {
    // Each reason quotes a piece of the line that the old regexes read as another class.
    const cases: Array<[line: string, format: FormatChoice, code: RejectCode, wasRead: RejectCode]> = [
      ['{"request":{"method":"GET","uri":"/"},"status":x03}', 'caddy', 'bad_json', 'bad_status'],
      ['1.2.3.4 - - "status 200 size 5 time"', 'common', 'bad_time', 'bad_status'],
      [
        '1.2.3.4 - - [10/Oct/2024:13:55:36 +0000] "GET / HTTP/1.1" 200 status',
        'common',
        'bad_size',
        'bad_status',
      ],
    ];
    for (const [line, format, code, wasRead] of cases) {
      const result = parseLine(line, format, createDetectMemo());
      assert.ok(!result.ok, line);
      assert.equal(result.code, code, result.reason);
      assert.equal(rejectReasonClassOf(result.reason), wasRead, result.reason);
    }
  });

  test('a format without a parser of its own is no format', () => {
    const result = parseLine('anything', 'custom');
    assert.ok(!result.ok);
    assert.equal(result.code, 'no_format');
  });
});
