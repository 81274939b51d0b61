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
      damage: null,
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

  // Lines cut by their writer, and the fields people append to combined: read, never rejected.
  const damaged: [string, string, Partial<ParsedHit>][] = [
    [
      'a user agent cut by the end of the line',
      `192.0.2.1 - - ${T} ${R} "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html`,
      {
        userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html',
        status: 200,
        damage: 'unterminated:user_agent',
      },
    ],
    [
      'a cut user agent with a stray \\r',
      `192.0.2.1 - - ${T} ${R} "-" "Mozilla\r`,
      { userAgent: 'Mozilla', damage: 'unterminated:user_agent' },
    ],
    [
      'a line cut inside its referrer',
      `192.0.2.1 - - ${T} ${R} "https://www.example.com/sea`,
      { referrer: 'https://www.example.com/sea', userAgent: null, damage: 'unterminated:referrer' },
    ],
    [
      'a line cut right after its referrer',
      `192.0.2.1 - - ${T} ${R} "https://www.example.com/" `,
      { referrer: 'https://www.example.com/', userAgent: null, damage: 'missing:user_agent' },
    ],
    [
      'a user agent whose closing quote is glued to more text',
      `192.0.2.1 - - ${T} ${R} "-" "UA"x`,
      { userAgent: 'UA"x', damage: 'unterminated:user_agent' },
    ],
    [
      "nginx's upstream_time format",
      `192.0.2.1 - - ${T} ${R} "-" "curl/8.5.0" rt=0.004 uct="0.000" uht="0.004" urt="0.004"`,
      {
        userAgent: 'curl/8.5.0',
        requestTimeMs: 4,
        extra: { uct: '0.000', uht: '0.004', urt: '0.004' },
        damage: null,
      },
    ],
    [
      'named fields that are `-` (no upstream) are left out',
      `192.0.2.1 - - ${T} ${R} "-" "UA" rt=0.000 uct=- urt="-"`,
      { requestTimeMs: 0, extra: null },
    ],
    [
      'a multi-valued upstream time and a quoted request time',
      `192.0.2.1 - - ${T} ${R} "-" "UA" rt="1.250" urt="0.500, 0.700"`,
      { requestTimeMs: 1250, extra: { urt: '0.500, 0.700' } },
    ],
    [
      'a named field cut by the end of the line',
      `192.0.2.1 - - ${T} ${R} "-" "UA" rt=0.004 uct="0.0`,
      { requestTimeMs: 4, extra: { uct: '0.0' }, damage: 'unterminated:extra' },
    ],
    [
      'a trailing $request_time',
      `192.0.2.1 - - ${T} ${R} "-" "UA" 0.123`,
      { requestTimeMs: 123, extra: { trailing: '0.123' } },
    ],
    [
      'a trailing $host and $request_time',
      `192.0.2.1 - - ${T} ${R} "-" "UA" www.Example.com 0.010`,
      { vhost: 'www.example.com', requestTimeMs: 10, extra: { trailing: 'www.Example.com 0.010' } },
    ],
    [
      'a quoted $host with its port',
      `192.0.2.1 - - ${T} ${R} "-" "UA" "-" "shop.example.org:8443"`,
      { vhost: 'shop.example.org:8443', forwardedFor: null, extra: { trailing: '"shop.example.org:8443"' } },
    ],
    [
      'an integer (Apache %D, microseconds, or %T, seconds) is no request time',
      `192.0.2.1 - - ${T} ${R} "-" "UA" 116075`,
      { requestTimeMs: null, vhost: null, extra: { trailing: '116075' } },
    ],
    [
      'an IPv4 address is no host',
      `192.0.2.1 - - ${T} ${R} "-" "UA" 10.0.0.1`,
      { vhost: null, extra: { trailing: '10.0.0.1' } },
    ],
    [
      'the ingress-nginx upstreaminfo format, with retried upstreams',
      `192.0.2.1 - - ${T} ${R} "-" "UA" 348 0.001 [default-web2-8080] [] 172.17.0.6:8080, 172.17.0.7:8080 61, 100 0.100, 0.004 200, 203 835136ae`,
      {
        requestTimeMs: 1,
        vhost: null,
        extra: {
          upstream_addr: '172.17.0.6:8080, 172.17.0.7:8080',
          trailing:
            '348 0.001 [default-web2-8080] [] 172.17.0.6:8080, 172.17.0.7:8080 61, 100 0.100, 0.004 200, 203 835136ae',
        },
      },
    ],
    [
      'an IPv6 upstream and a unix socket',
      `192.0.2.1 - - ${T} ${R} "-" "UA" [2001:db8::7]:9200 unix:/run/php-fpm.sock`,
      {
        extra: { upstream_addr: '[2001:db8::7]:9200', trailing: '[2001:db8::7]:9200 unix:/run/php-fpm.sock' },
      },
    ],
    [
      'a unix socket upstream',
      `192.0.2.1 - - ${T} ${R} "-" "UA" unix:/run/php-fpm.sock 0.002`,
      {
        requestTimeMs: 2,
        extra: { upstream_addr: 'unix:/run/php-fpm.sock', trailing: 'unix:/run/php-fpm.sock 0.002' },
      },
    ],
    [
      'a stray quote after the user agent is kept as written',
      `192.0.2.1 - - ${T} ${R} "-" "UA" x"y`,
      { userAgent: 'UA', extra: { trailing: 'x"y' }, damage: null },
    ],
    [
      'a quoted trailing field cut by the end of the line',
      `192.0.2.1 - - ${T} ${R} "-" "UA" "abc`,
      { userAgent: 'UA', extra: { trailing: '"abc' }, damage: 'unterminated:extra' },
    ],
    [
      'no ident and user fields, and a cut user agent: both marked',
      `192.0.2.1 ${T} ${R} "-" "gPXE/0.9`,
      { ip: '192.0.2.1', userAgent: 'gPXE/0.9', damage: 'missing:ident_user,unterminated:user_agent' },
    ],
    [
      'a cut X-Forwarded-For chain',
      `192.0.2.1 - - ${T} ${R} "-" "UA" "198.51.100.1, 10.0`,
      { ip: '192.0.2.1', forwardedFor: null, damage: 'unterminated:extra' },
    ],
  ];
  for (const [name, line, expected] of damaged) {
    void it(`reads ${name}`, () => {
      const hit = combined(line);
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(hit[key as keyof ParsedHit], value, key);
      }
    });
  }

  const rejected: [string, string, RegExp][] = [
    ['a common line', `192.0.2.1 - - ${T} ${R}`, /combined: expected ' "<referrer>"' after the size/],
    [
      'text after the referrer that is no quoted user agent',
      `192.0.2.1 - - ${T} ${R} "-" Mozilla`,
      /combined: expected ' "<user agent>"' after the referrer/,
    ],
    ['a cut request (no status)', `192.0.2.1 - - ${T} "GET /index.ht`, /combined: unterminated request/],
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
