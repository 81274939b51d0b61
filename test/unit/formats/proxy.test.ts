import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParsedHit } from '../../../src/domain/index.js';
import { parseLine } from '../../../src/formats/index.js';
import { hitOf, reasonOf, utc } from './table.js';

const T = '[01/Nov/2022:00:00:15 -0500]';
const T_MS = utc(2022, 11, 1, 5, 0, 15);

function proxy(line: string): ParsedHit {
  return hitOf(parseLine(line, 'proxy'));
}

void describe('proxy format', () => {
  void it('reads the reference example with session and user', () => {
    const hit = proxy(
      '203.0.113.7 Xy7Pq2LmN4rT8vB jane.doe [01/Nov/2022:00:00:15 -0500] "GET https://journals.example.org:443/search?q=heart%20failure&page=2 HTTP/1.1" 200 30013 -',
    );
    assert.deepEqual(hit, {
      format: 'proxy',
      ip: '203.0.113.7',
      forwardedFor: null,
      session: 'Xy7Pq2LmN4rT8vB',
      user: 'jane.doe',
      time: { epochMs: T_MS, offsetMinutes: -300 },
      method: 'GET',
      target: 'https://journals.example.org:443/search?q=heart%20failure&page=2',
      httpVersion: 'HTTP/1.1',
      status: 200,
      bytes: 30013,
      referrer: null,
      userAgent: null,
      vhost: null,
      requestTimeMs: null,
      extra: null,
      damage: null,
    });
  });

  void it('reads `-` session and user as null', () => {
    const hit = proxy(
      '198.51.100.23 - - [01/Nov/2022:00:06:45 -0500] "POST https://app.example.com:443/api/v1/events HTTP/1.1" 201 541 -',
    );
    assert.equal(hit.session, null);
    assert.equal(hit.user, null);
    assert.equal(hit.method, 'POST');
    assert.equal(hit.status, 201);
    assert.equal(hit.time.epochMs, utc(2022, 11, 1, 5, 6, 45));
  });

  const table: [string, string, Partial<ParsedHit>][] = [
    [
      'IPv6 client kept whole',
      `2001:db8:85a3::8a2e:370:7334 S1 jane@example.org ${T} "HEAD https://a.example/ HTTP/2.0" 204 - -`,
      {
        ip: '2001:db8:85a3::8a2e:370:7334',
        user: 'jane@example.org',
        method: 'HEAD',
        bytes: 0,
        httpVersion: 'HTTP/2.0',
      },
    ],
    [
      'any token method',
      `192.0.2.1 - - ${T} "PROPFIND http://dav.example/x HTTP/1.1" 207 12 -`,
      { method: 'PROPFIND', target: 'http://dav.example/x' },
    ],
    [
      'TLS probe request kept raw',
      `192.0.2.1 - - ${T} "\\x16\\x03\\x01\\x00\\xA5\\x01" 400 0 -`,
      {
        method: null,
        target: null,
        httpVersion: null,
        status: 400,
        extra: { request: '\\x16\\x03\\x01\\x00\\xA5\\x01' },
      },
    ],
    ['empty request', `192.0.2.1 - - ${T} "" 408 0 -`, { method: null, status: 408, extra: { request: '' } }],
    ['stray \\r at the end', `192.0.2.1 - - ${T} "GET https://a.example/ HTTP/1.1" 200 5 -\r`, { bytes: 5 }],
    [
      'SQL and quotes in the URL',
      `192.0.2.1 - - ${T} "GET https://a.example/?id=1'%20OR%20'1'='1;--\\"x HTTP/1.1" 200 5 -`,
      { target: `https://a.example/?id=1'%20OR%20'1'='1;--"x` },
    ],
    [
      'upper-case scheme',
      `192.0.2.1 - - ${T} "GET HTTPS://A.EXAMPLE/ HTTP/1.1" 200 5 -`,
      { target: 'HTTPS://A.EXAMPLE/' },
    ],
  ];
  for (const [name, line, expected] of table) {
    void it(name, () => {
      const hit = proxy(line);
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(hit[key as keyof ParsedHit], value, key);
      }
    });
  }

  const rejected: [string, string, RegExp][] = [
    [
      'a path target',
      `192.0.2.1 - - ${T} "GET /x HTTP/1.1" 200 5 -`,
      /proxy: target "\/x" is not an absolute http\(s\) URL/,
    ],
    ['a non-http scheme', `192.0.2.1 - - ${T} "GET ftp://a/x HTTP/1.1" 200 5 -`, /not an absolute http/],
    [
      'no trailing -',
      `192.0.2.1 - - ${T} "GET https://a.example/ HTTP/1.1" 200 5`,
      /proxy: expected " -" after the size/,
    ],
    [
      'a trailing value other than -',
      `192.0.2.1 - - ${T} "GET https://a/ HTTP/1.1" 200 5 x`,
      /expected " -"/,
    ],
    ['two trailing fields', `192.0.2.1 - - ${T} "GET https://a/ HTTP/1.1" 200 5 - -`, /expected " -"/],
    [
      'status 999999',
      `192.0.2.1 - - ${T} "GET https://a/ HTTP/1.1" 999999 5 -`,
      /proxy: bad status "999999"/,
    ],
    ['status 099', `192.0.2.1 - - ${T} "GET https://a/ HTTP/1.1" 099 5 -`, /proxy: bad status "099"/],
    ['status 2x0', `192.0.2.1 - - ${T} "GET https://a/ HTTP/1.1" 2x0 5 -`, /proxy: bad status "2x0"/],
    [
      'size 10^20',
      `192.0.2.1 - - ${T} "GET https://a/ HTTP/1.1" 200 100000000000000000000 -`,
      /bad size "1000/,
    ],
    ['negative size', `192.0.2.1 - - ${T} "GET https://a/ HTTP/1.1" 200 -5 -`, /bad size "-5"/],
    [
      'no time brackets',
      '192.0.2.1 - - 01/Nov/2022 "GET https://a/ HTTP/1.1" 200 5 -',
      /expected "\[" before the time/,
    ],
  ];
  for (const [name, line, reason] of rejected) {
    void it(`rejects ${name}`, () => {
      assert.match(reasonOf(parseLine(line, 'proxy')), reason);
    });
  }
});
