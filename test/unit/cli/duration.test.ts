import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationOption, parseDuration } from '../../../src/cli/options.js';
import { UsageError } from '../../../src/errors.js';

const HOUR = 3_600_000;

test('durations: hours, days and weeks, alone or together; 1 hour at least', () => {
  const cases: Array<[string, number | undefined]> = [
    ['36h', 36 * HOUR],
    ['14d', 14 * 24 * HOUR],
    ['2w', 14 * 24 * HOUR],
    ['1w3d', 10 * 24 * HOUR],
    ['1h', HOUR],
    ['0h', undefined],
    ['30m', undefined],
    ['14', undefined],
    ['d', undefined],
    ['-3d', undefined],
    ['1.5d', undefined],
    [' 14d', undefined],
    ['99999999d', undefined],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test('a bad duration option is a usage error naming it and what was given', () => {
  assert.equal(durationOption('--keep', undefined), undefined);
  assert.throws(
    () => durationOption('--keep', '14x'),
    (error: unknown) => error instanceof UsageError && /^--keep: .*\(got "14x"\)$/.test(error.message),
  );
});
