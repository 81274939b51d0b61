import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import {
  AUTO_ORDER,
  FORMAT_PARSERS,
  createDetectMemo,
  parseLine,
  readLineTime,
} from '../../../src/formats/index.js';
import { reasonOf, utc } from './table.js';

const T = '[01/Nov/2022:00:00:15 -0500]';
const PROXY = `192.0.2.1 S - ${T} "GET https://a.example/ HTTP/1.1" 200 5 -`;
const COMMON = `192.0.2.1 - - ${T} "GET /x HTTP/1.1" 200 5`;
const COMBINED = `192.0.2.1 - - ${T} "GET /x HTTP/1.1" 200 5 "-" "UA"`;

void describe('parseLine auto-detection', () => {
  void it('tries the most specific formats first, and each has a parser', () => {
    assert.deepEqual(AUTO_ORDER, [
      'proxy',
      'traefik',
      'combined',
      'vcombined',
      'common',
      'alb',
      'squid',
      'w3c',
      'caddy',
      'nginx-json',
    ]);
    for (const name of AUTO_ORDER) assert.equal(typeof FORMAT_PARSERS[name], 'function');
  });

  void it('detects each format and remembers it in the memo', () => {
    const memo = createDetectMemo();
    assert.equal(memo.last, null);
    for (const [line, format] of [
      [COMBINED, 'combined'],
      [COMMON, 'common'],
      [PROXY, 'proxy'],
    ] as const) {
      const result = parseLine(line, 'auto', memo);
      assert.ok(result.ok);
      assert.equal(result.hit.format, format);
      assert.equal(memo.last, format);
    }
  });

  void it('keeps the memo when a line matches no format', () => {
    const memo = createDetectMemo();
    parseLine(COMMON, 'auto', memo);
    assert.match(reasonOf(parseLine('not a log line', 'auto', memo)), /^no format matched/);
    assert.equal(memo.last, 'common');
  });

  void it('works without a memo', () => {
    const result = parseLine(COMBINED, 'auto');
    assert.ok(result.ok && result.hit.format === 'combined');
  });

  void it('names the format that got furthest and why it failed', () => {
    const relative = `192.0.2.1 - - ${T} "GET /x HTTP/1.1" 200 5 -`;
    assert.equal(
      reasonOf(parseLine(relative, 'auto')),
      'no format matched; closest was proxy: target "/x" is not an absolute http(s) URL',
    );
    const badUa = `192.0.2.1 - - ${T} "GET /x HTTP/1.1" 200 5 "-" UA`;
    assert.equal(
      reasonOf(parseLine(badUa, 'auto')),
      `no format matched; closest was combined: expected ' "<user agent>"' after the referrer`,
    );
    const badStatus = `192.0.2.1 - - ${T} "GET /x HTTP/1.1" 2x0 5`;
    assert.equal(
      reasonOf(parseLine(badStatus, 'auto')),
      'no format matched; closest was proxy: bad status "2x0"',
    );
  });

  void it('prefers the memo’s format in the reason when formats fail at the same place', () => {
    const memo = createDetectMemo();
    parseLine(COMMON, 'auto', memo);
    const badStatus = `192.0.2.1 - - ${T} "GET /x HTTP/1.1" 2x0 5`;
    assert.equal(
      reasonOf(parseLine(badStatus, 'auto', memo)),
      'no format matched; closest was common: bad status "2x0"',
    );
  });

  void it('cuts quoted text in reasons', () => {
    const reason = reasonOf(
      parseLine(`192.0.2.1 - - ${T} "GET /x HTTP/1.1" 200 5 ${'x'.repeat(10_000)}`, 'common'),
    );
    assert.ok(reason.length < 200, reason);
    assert.match(reason, /x…"$/);
  });

  void it('says that `custom` has no parser without a compiled format string', () => {
    assert.equal(reasonOf(parseLine(COMMON, 'custom')), 'format "custom" has no parser yet');
  });

  void it('with a named format, does not detect', () => {
    assert.match(reasonOf(parseLine(COMBINED, 'common')), /^common: unexpected text after the size/);
  });
});

void describe('readLineTime', () => {
  const table: [string, number | null][] = [
    [PROXY, utc(2022, 11, 1, 5, 0, 15)],
    ['[not a time] then [31/Dec/2022:23:30:00 -0500] later', utc(2023, 1, 1, 4, 30)],
    ['x [29/Feb/2023:00:00:00 +0000] y', null],
    ['[10/Oct/2000:13:55:36.123 -0700]', utc(2000, 10, 10, 20, 55, 36, 123)],
    ['no brackets at all', null],
    ['[', null],
    ['', null],
    ['[[[[[[[[01/Nov/2022:00:00:15 +0000]', utc(2022, 11, 1, 0, 0, 15)],
  ];
  for (const [line, expected] of table) {
    void it(`reads ${JSON.stringify(line.slice(0, 50))}`, () => {
      assert.equal(readLineTime(line)?.epochMs ?? null, expected);
    });
  }
});

void describe('huge and hostile lines', () => {
  const MIB = 1 << 20;
  const hostile: [string, string][] = [
    ['1 MiB of letters', 'a'.repeat(MIB)],
    ['1 MiB of quotes', '"'.repeat(MIB)],
    ['1 MiB of backslashes and quotes', '\\"'.repeat(MIB / 2)],
    ['1 MiB of brackets', '['.repeat(MIB)],
    ['1 MiB of "[" + almost-time', '[01/Nov/2022:00:00:15 -05'.repeat(MIB / 25)],
    ['1 MiB of NUL', '\u0000'.repeat(MIB)],
    ['a valid prefix and a 1 MiB unterminated request', `192.0.2.1 - - ${T} "${'\\" '.repeat(MIB / 3)}`],
    ['a valid combined line with 1 MiB of trailing tokens', `${COMBINED}${' "x"'.repeat(MIB / 4)}`],
    ['a valid combined line with 1 MiB of spaces and a word', `${COMBINED}${' '.repeat(MIB)}x`],
  ];
  // The worker loads the TypeScript sources through tsx, as the tests do (a worker's own `--import`
  // is not applied before its first module on Node 20).
  const PARSE_IN_WORKER = `import('tsx/esm/api').then(({ register }) => {
    register();
    return import(${JSON.stringify(new URL('./parse-in-worker.ts', import.meta.url).href)});
  });`;
  // Catastrophic backtracking on a mebibyte would run for hours, a linear parse for milliseconds:
  // each line is parsed in a worker, ended by the test's timeout if it never answers. How fast the
  // parsers are is the benchmark's to say, not this test's.
  for (const [name, line] of hostile) {
    void it(`${name}: answers, with a short reason when it rejects`, { timeout: 60_000 }, async (t) => {
      const worker = new Worker(PARSE_IN_WORKER, { eval: true, workerData: line });
      t.after(() => worker.terminate());
      const [answer] = (await once(worker, 'message')) as [{ ok: boolean; reasonLength?: number }];
      if (!answer.ok) assert.ok((answer.reasonLength ?? Infinity) < 300, JSON.stringify(answer));
    });
  }

  void it('parses a 1 MiB valid line whole', () => {
    const ua = 'U'.repeat(MIB);
    const result = parseLine(`192.0.2.1 - - ${T} "GET /x HTTP/1.1" 200 5 "-" "${ua}"`, 'auto');
    assert.ok(result.ok && result.hit.userAgent === ua);
  });
});
