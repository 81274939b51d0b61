/** The simulator's lines are read by lograbbit's own parsers, field for field. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ParsedHit } from '../../../../src/domain/index.js';
import { FORMAT_PARSERS } from '../../../../src/formats/index.js';
import { createTrafficSimulator, SIMULATED_FORMATS } from '../../../../src/sources/simulator/index.js';
import { fieldsOf } from './line-shapes.js';

for (const format of SIMULATED_FORMATS) {
  test(`every simulated ${format} line parses as ${format}, with the same fields`, () => {
    const parse = FORMAT_PARSERS[format];
    assert.ok(parse, `no parser for ${format}`);
    const sim = createTrafficSimulator({ seed: 11, startMs: Date.UTC(2022, 10, 1, 5), format });
    for (const line of sim.take(5000)) {
      const result = parse(line);
      if (!result.ok) assert.fail(`${format} rejects ${line}: ${result.reason}`);
      const expected = fieldsOf(format, line);
      const hit: ParsedHit = result.hit;
      assert.equal(hit.format, format);
      assert.equal(hit.ip, expected.ip);
      assert.equal(hit.session, expected.session);
      assert.equal(hit.user, expected.user);
      assert.equal(hit.time.epochMs, expected.epochMs);
      assert.equal(hit.method, expected.method);
      assert.equal(hit.target, expected.target);
      assert.equal(hit.status, expected.status);
      assert.equal(hit.bytes, expected.bytes);
      assert.equal(hit.referrer, expected.referrer);
      assert.equal(hit.userAgent, expected.userAgent);
    }
  });
}
