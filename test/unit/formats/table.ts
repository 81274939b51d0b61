/** Shared helpers of the format tests: run a parser and get its hit or its reason, asserting which. */
import assert from 'node:assert/strict';
import type { ParsedHit, ParseResult } from '../../../src/domain/index.js';

/** The hit of a result that must be a success. */
export function hitOf(result: ParseResult): ParsedHit {
  if (!result.ok) assert.fail(`expected a hit, got: ${result.reason}`);
  return result.hit;
}

/** The reason of a result that must be a failure. */
export function reasonOf(result: ParseResult): string {
  if (result.ok) assert.fail(`expected a rejection, got a ${result.hit.format} hit`);
  return result.reason;
}

/** The instant of a UTC calendar time, for expected values. */
export function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}
