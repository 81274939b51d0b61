import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createDetectMemo, parseLine, readLineTime } from '../../../src/formats/index.js';

const FIXTURES = new URL('../../fixtures/formats/', import.meta.url);
const FORMATS = ['proxy', 'common', 'combined'] as const;
/** Formats whose fixture is read as one source (W3C's `#Fields:` directives apply to the lines after them). */
const MORE_FORMATS = ['vcombined', 'traefik', 'alb', 'squid', 'w3c', 'caddy', 'nginx-json'] as const;

function linesOf(format: string): string[] {
  return readFileSync(new URL(`${format}.log`, FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0);
}

void describe('fixtures', () => {
  for (const format of FORMATS) {
    void it(`every line of ${format}.log is detected as ${format}, with a fresh memo`, () => {
      const lines = linesOf(format);
      assert.ok(lines.length >= 5, 'fixture has lines');
      for (const line of lines) {
        const result = parseLine(line, 'auto', createDetectMemo());
        assert.ok(result.ok, `${line}\n→ ${result.ok ? '' : result.reason}`);
        assert.equal(result.hit.format, format, line);
        assert.equal(readLineTime(line)?.epochMs, result.hit.time.epochMs, line);
      }
    });
  }

  for (const format of MORE_FORMATS) {
    void it(`every request line of ${format}.log is detected as ${format}, the file read as one source`, () => {
      const lines = linesOf(format);
      const memo = createDetectMemo();
      let parsed = 0;
      for (const line of lines) {
        const result = parseLine(line, 'auto', memo);
        if (line.startsWith('#')) {
          assert.ok(!result.ok && result.reason.startsWith('w3c: directive'), line);
          continue;
        }
        assert.ok(result.ok, `${line}\n→ ${result.ok ? '' : result.reason}`);
        assert.equal(result.hit.format, format, line);
        assert.equal(memo.last, format);
        parsed++;
      }
      assert.ok(parsed >= 4, 'fixture has request lines');
    });
  }

  void it('one memo follows a source whose format changes, line after line', () => {
    const memo = createDetectMemo();
    const mixed = [...FORMATS, ...MORE_FORMATS.filter((f) => f !== 'w3c')].flatMap((format) =>
      linesOf(format).map((line) => [format, line] as const),
    );
    for (const [format, line] of [...mixed, ...[...mixed].reverse()]) {
      const result = parseLine(line, 'auto', memo);
      assert.ok(result.ok && result.hit.format === format, line);
      assert.equal(memo.last, format);
    }
  });
});
