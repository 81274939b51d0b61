import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParsedHit } from '../../../src/domain/index.js';
import { parseLine } from '../../../src/formats/index.js';
import { hitOf, reasonOf, utc } from './table.js';

const T = '[10/Oct/2000:13:55:36 -0700]';

function common(line: string): ParsedHit {
  return hitOf(parseLine(line, 'common'));
}

void describe('common format', () => {
  void it('reads the Apache documentation example', () => {
    assert.deepEqual(
      common('127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326'),
      {
        format: 'common',
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
        referrer: null,
        userAgent: null,
        vhost: null,
        requestTimeMs: null,
        extra: null,
        damage: null,
      },
    );
  });

  const table: [string, string, Partial<ParsedHit>][] = [
    [
      '`-` everywhere',
      `- - - ${T} "-" 200 -`,
      { ip: '-', user: null, method: null, bytes: 0, extra: { request: '-' } },
    ],
    [
      'identd answer kept in extra',
      `192.0.2.1 alice - ${T} "GET / HTTP/1.1" 200 1`,
      { extra: { ident: 'alice' } },
    ],
    [
      'no ident and user fields at all (the writer left out `- -`): read, and marked',
      `192.0.2.1 ${T} "GET / HTTP/1.1" 404 7`,
      { ip: '192.0.2.1', user: null, status: 404, extra: null, damage: 'missing:ident_user' },
    ],
    [
      'IPv6 loopback',
      `::1 - - ${T} "OPTIONS * HTTP/1.1" 200 0`,
      { ip: '::1', method: 'OPTIONS', target: '*' },
    ],
    ['IPv4-mapped IPv6', `::ffff:192.0.2.128 - - ${T} "GET / HTTP/1.1" 200 0`, { ip: '::ffff:192.0.2.128' }],
    [
      '+0530 offset',
      `192.0.2.1 - - [01/Jan/2023:03:00:00 +0530] "GET / HTTP/1.1" 200 1`,
      { time: { epochMs: utc(2022, 12, 31, 21, 30), offsetMinutes: 330 } },
    ],
    [
      'milliseconds',
      `192.0.2.1 - - [10/Oct/2000:13:55:36.123 -0700] "GET / HTTP/1.1" 200 1`,
      { time: { epochMs: utc(2000, 10, 10, 20, 55, 36, 123), offsetMinutes: -420 } },
    ],
    [
      '29 Feb of a leap year',
      `192.0.2.1 - - [29/Feb/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 1`,
      { time: { epochMs: utc(2024, 2, 29), offsetMinutes: 0 } },
    ],
    [
      'Apache-escaped quote in the request',
      `192.0.2.1 - - ${T} "GET /a\\"b\\\\c HTTP/1.1" 400 1`,
      { target: '/a"b\\c' },
    ],
    [
      'nginx-escaped quote in the request',
      `192.0.2.1 - - ${T} "GET /a\\x22b\\x5Cc HTTP/1.1" 400 1`,
      { target: '/a"b\\c' },
    ],
    [
      'other \\x escapes kept as written',
      `192.0.2.1 - - ${T} "GET /\\xC3\\xA9 HTTP/1.1" 404 1`,
      { target: '/\\xC3\\xA9' },
    ],
    [
      'HTTP/0.9 request without version',
      `192.0.2.1 - - ${T} "GET /" 200 1`,
      { method: 'GET', target: '/', httpVersion: null },
    ],
    [
      'unencoded space in the target',
      `192.0.2.1 - - ${T} "GET /my file.html HTTP/1.1" 404 1`,
      { target: '/my file.html' },
    ],
    [
      'NUL bytes in the request',
      `192.0.2.1 - - ${T} "\u0000\u0000" 400 0`,
      { method: null, extra: { request: '\u0000\u0000' } },
    ],
    ['a stray \\r at the end', `192.0.2.1 - - ${T} "GET / HTTP/1.1" 200 1\r`, { bytes: 1 }],
    [
      'size at MAX_SAFE_INTEGER',
      `192.0.2.1 - - ${T} "GET / HTTP/1.1" 200 9007199254740991`,
      { bytes: Number.MAX_SAFE_INTEGER },
    ],
    [
      'a host name instead of an address',
      `client.example.net - - ${T} "GET / HTTP/1.1" 200 1`,
      { ip: 'client.example.net' },
    ],
  ];
  for (const [name, line, expected] of table) {
    void it(name, () => {
      const hit = common(line);
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(hit[key as keyof ParsedHit], value, key);
      }
    });
  }

  const rejected: [string, string, RegExp][] = [
    [
      '29 Feb of a non-leap year',
      `192.0.2.1 - - [29/Feb/2023:00:00:00 +0000] "GET / HTTP/1.1" 200 1`,
      /common: bad day "29" for Feb 2023/,
    ],
    [
      'a combined line',
      `192.0.2.1 - - ${T} "GET / HTTP/1.1" 200 1 "-" "curl/8.0"`,
      /common: unexpected text after the size: " \\"-\\"/,
    ],
    [
      'a proxy line',
      `192.0.2.1 - - ${T} "GET https://a/ HTTP/1.1" 200 1 -`,
      /common: unexpected text after the size/,
    ],
    [
      'size beyond MAX_SAFE_INTEGER',
      `192.0.2.1 - - ${T} "GET / HTTP/1.1" 200 9007199254740992`,
      /common: bad size/,
    ],
    ['size with letters', `192.0.2.1 - - ${T} "GET / HTTP/1.1" 200 12kb`, /common: bad size "12kb"/],
    ['no size', `192.0.2.1 - - ${T} "GET / HTTP/1.1" 200`, /common: bad status "200"/],
    ['an unterminated request', `192.0.2.1 - - ${T} "GET / HTTP/1.1 200 1`, /common: unterminated request/],
    [
      'a user with a space',
      `192.0.2.1 - John Doe ${T} "GET / HTTP/1.1" 200 1`,
      /expected "\[" before the time/,
    ],
    ['an empty line', '', /common: expected "<client>/],
    [
      'month Foo',
      `192.0.2.1 - - [10/Foo/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1`,
      /common: bad month "Foo"/,
    ],
    ['hour 25', `192.0.2.1 - - [10/Oct/2000:25:55:36 -0700] "GET / HTTP/1.1" 200 1`, /common: bad hour "25"/],
  ];
  for (const [name, line, reason] of rejected) {
    void it(`rejects ${name}`, () => {
      assert.match(reasonOf(parseLine(line, 'common')), reason);
    });
  }
});
