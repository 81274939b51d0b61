import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParsedHit } from '../../../src/domain/index.js';
import { parseLine } from '../../../src/formats/index.js';
import { hitOf, reasonOf, utc } from './table.js';

const T = '[10/Oct/2000:13:55:36 -0700]';
const R = '"GET / HTTP/1.1" 200 1';

function combined(line: string): ParsedHit {
  return hitOf(parseLine(line, 'combined'));
}

void describe('combined format', () => {
  void it('reads the Apache documentation example', () => {
    const line =
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"';
    assert.deepEqual(combined(line), {
      format: 'combined',
      ip: '127.0.0.1',
      forwardedFor: null,
      session: null,
      user: 'frank',
      time: { epochMs: utc(2000, 10, 10, 20, 55, 36), offsetMinutes: -420 },
      method: 'GET',
      target: '/apache_pb.gif',
      httpVersion: 'HTTP/1.0',
      status: 200,
      bytes: 2326,
      referrer: 'http://www.example.com/start.html',
      userAgent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
      vhost: null,
      requestTimeMs: null,
      extra: null,
    });
  });

  const table: [string, string, Partial<ParsedHit>][] = [
    ['`-` referrer and user agent', `192.0.2.1 - - ${T} ${R} "-" "-"`, { referrer: null, userAgent: null }],
    ['empty referrer and user agent', `192.0.2.1 - - ${T} ${R} "" ""`, { referrer: null, userAgent: null }],
    [
      'Apache-escaped quotes and backslashes in the user agent',
      `192.0.2.1 - - ${T} ${R} "-" "Mozilla \\"quoted\\" \\\\ end\\\\"`,
      { userAgent: 'Mozilla "quoted" \\ end\\' },
    ],
    ['nginx-escaped quote in the user agent', `192.0.2.1 - - ${T} ${R} "-" "a\\x22b"`, { userAgent: 'a"b' }],
    [
      'SQL in the referrer and user agent',
      `192.0.2.1 - - ${T} ${R} "https://x.example/?q=1' OR '1'='1" "sqlmap/1.7'); DROP TABLE clean_log;--"`,
      { referrer: "https://x.example/?q=1' OR '1'='1", userAgent: "sqlmap/1.7'); DROP TABLE clean_log;--" },
    ],
    [
      'a raw quote in the user agent not followed by a space',
      `192.0.2.1 - - ${T} ${R} "-" "Foo"Bar"`,
      { userAgent: 'Foo"Bar' },
    ],
    [
      'TLS probe with a - user agent',
      `192.0.2.1 - - ${T} "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03" 400 157 "-" "-"`,
      {
        method: null,
        status: 400,
        bytes: 157,
        extra: { request: '\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03' },
      },
    ],
    [
      'IPv6 client, PATCH, HTTP/2.0',
      `2001:db8::42 - - ${T} "PATCH /api/items/7 HTTP/2.0" 204 - "-" "curl/8.5.0"`,
      { ip: '2001:db8::42', method: 'PATCH', httpVersion: 'HTTP/2.0', bytes: 0, userAgent: 'curl/8.5.0' },
    ],
    [
      'nginx main: the X-Forwarded-For chain gives the client, other trailing fields kept',
      `192.0.2.1 - - ${T} ${R} "-" "UA" "198.51.100.1, 10.0.0.1" 0.012 -`,
      {
        ip: '198.51.100.1',
        forwardedFor: '198.51.100.1, 10.0.0.1',
        userAgent: 'UA',
        extra: { remote_addr: '192.0.2.1', trailing: '0.012 -' },
      },
    ],
    [
      'nginx main with no X-Forwarded-For',
      `192.0.2.1 - - ${T} ${R} "-" "UA" "-"`,
      { ip: '192.0.2.1', forwardedFor: null, extra: null },
    ],
    [
      'an IPv6 X-Forwarded-For client with a port',
      `10.0.0.5 - - ${T} ${R} "-" "UA" "[2001:db8::7]:51234, 10.0.0.1"`,
      { ip: '2001:db8::7', forwardedFor: '[2001:db8::7]:51234, 10.0.0.1' },
    ],
    [
      'a trailing quoted field that is no address list stays trailing',
      `192.0.2.1 - - ${T} ${R} "-" "UA" "session=abc" 12`,
      { ip: '192.0.2.1', forwardedFor: null, extra: { trailing: '"session=abc" 12' } },
    ],
    [
      'stray \\r after the user agent',
      `192.0.2.1 - - ${T} ${R} "-" "UA"\r`,
      { userAgent: 'UA', extra: null },
    ],
    ['non-ASCII in the user agent', `192.0.2.1 - - ${T} ${R} "-" "Bot ü 🤖"`, { userAgent: 'Bot ü 🤖' }],
  ];
  for (const [name, line, expected] of table) {
    void it(name, () => {
      const hit = combined(line);
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(hit[key as keyof ParsedHit], value, key);
      }
    });
  }

  const rejected: [string, string, RegExp][] = [
    ['a common line', `192.0.2.1 - - ${T} ${R}`, /combined: expected ' "<referrer>"' after the size/],
    [
      'a missing user agent',
      `192.0.2.1 - - ${T} ${R} "-"`,
      /combined: expected ' "<user agent>"' after the referrer/,
    ],
    [
      'an unterminated user agent',
      `192.0.2.1 - - ${T} ${R} "-" "Mozilla`,
      /combined: unterminated user agent "Mozilla"/,
    ],
    [
      'a stray quote after the user agent',
      `192.0.2.1 - - ${T} ${R} "-" "UA" x"y`,
      /combined: malformed fields after the user agent/,
    ],
    [
      'an unterminated trailing field',
      `192.0.2.1 - - ${T} ${R} "-" "UA" "abc`,
      /combined: malformed fields after the user agent/,
    ],
    [
      'status 999999',
      `192.0.2.1 - - ${T} "GET / HTTP/1.1" 999999 1 "-" "-"`,
      /combined: bad status "999999"/,
    ],
  ];
  for (const [name, line, reason] of rejected) {
    void it(`rejects ${name}`, () => {
      assert.match(reasonOf(parseLine(line, 'combined')), reason);
    });
  }
});
