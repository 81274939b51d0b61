/** terminalSafe: every character a terminal acts on is written as a visible escape, nothing else. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { createLogger, terminalSafe } from '../../../src/telemetry/index.js';

// eslint-disable-next-line no-control-regex -- finding raw control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe('terminalSafe', () => {
  const cases: Array<[string, string, string]> = [
    ['plain text, accents and emoji', 'café /ünï ✓ 🐇', 'café /ünï ✓ 🐇'],
    ['ESC (clear screen)', '\x1b[2Jall good', '\\u001b[2Jall good'],
    ['OSC title with BEL', '\x1b]0;pwned\x07', '\\u001b]0;pwned\\u0007'],
    ['C1 CSI', '\u009b31m', '\\u009b31m'],
    ['DEL and NUL', 'a\x7fb\x00', 'a\\u007fb\\u0000'],
    ['line breaks (a forged line)', 'a\nb\r\tc', 'a\\nb\\r\\tc'],
    ['bidi override and isolate', '\u202egol.exe\u2066x\u2069', '\\u202egol.exe\\u2066x\\u2069'],
    ['line and paragraph separators', '\u2028\u2029', '\\u2028\\u2029'],
    ['backslashes stay as they are', 'C:\\logs\\a.log', 'C:\\logs\\a.log'],
  ];
  for (const [what, input, expected] of cases) {
    test(what, () => assert.equal(terminalSafe(input), expected));
  }

  test('no raw control character survives, and text without any is unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const safe = terminalSafe(text);
        assert.doesNotMatch(safe, UNSAFE);
        if (!UNSAFE.test(text)) assert.equal(safe, text);
      }),
    );
  });

  test('applied to JSON it still parses back to the same value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        assert.equal(JSON.parse(terminalSafe(JSON.stringify(text))), text);
      }),
    );
  });
});

describe('the readable log (stderr is a terminal)', () => {
  test('escapes the message, the keys and the values that came from a message or a file', () => {
    const written: string[] = [];
    const terminal = Object.assign(
      { write: (chunk: string) => (written.push(String(chunk)), true) },
      { isTTY: true },
    ) as unknown as NodeJS.WritableStream & { isTTY: boolean };
    const log = createLogger('info', terminal);
    log.warn(
      { source: 'a\x1b]0;pwned\x07.log', messageId: 'm\u009b2J', detail: { reason: '\u202eexe' } },
      'moved\x1b[2J',
    );
    assert.equal(written.length, 1);
    const line = written[0] as string;
    assert.match(line, /^\d\d:\d\d:\d\d WARN {2}moved\\u001b\[2J {2}/, 'readable, not JSON');
    assert.doesNotMatch(line.slice(0, -1), UNSAFE);
    assert.ok(line.endsWith('\n'));
    assert.ok(line.includes('source=a\\u001b]0;pwned\\u0007.log'), line);
    assert.ok(line.includes('messageId=m\\u009b2J'), line);
    assert.ok(line.includes('detail={"reason":"\\u202eexe"}'), line);
  });
});
