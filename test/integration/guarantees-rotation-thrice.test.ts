/**
 * The promise through logrotate while the producer is down, three rotations at a time (rename,
 * copytruncate, and mixes of both, older generations shifted first), with lines written before,
 * between and after them: every line written ends up exactly once in raw_log and once in clean_log
 * or rejected_log. Two rotations, and a generation compressed before it was read, are in
 * guarantees-rotation.test.ts.
 */
import { describe, test } from 'node:test';
import { useLiveSuite } from '../helpers/live-suite.js';
import { rotatedWhileDown } from '../helpers/rotated-log.js';

const suite = useLiveSuite('guarantees_rotation3');

describe('rotated while the producer is down', () => {
  for (const rotations of [
    ['rename', 'rename', 'rename'],
    ['copytruncate', 'copytruncate', 'copytruncate'],
    ['rename', 'copytruncate', 'rename'],
    ['copytruncate', 'rename', 'copytruncate'],
  ] as const) {
    test(`${rotations.join(' then ')}: every generation is read, every line stored once`, () =>
      rotatedWhileDown(suite, rotations));
  }
});
