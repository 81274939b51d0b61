import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLine } from '../../../src/formats/index.js';
import { hitOf, reasonOf, utc } from './table.js';

const TAIL =
  'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:1:targetgroup/t/7 "Root=1-5" "www.example.com" "-" 1 2024-03-12T08:17:01.185000Z "forward" "-" "-" "10.0.1.10:80" "200" "-" "-"';
const line = (client: string, times: string, statuses: string, request: string, ua = 'curl/8.5.0'): string =>
  `https 2024-03-12T08:17:01.186641Z app/lb/50dc ${client} 10.0.1.10:80 ${times} ${statuses} 34 366 "${request}" "${ua}" ${TAIL}`;

void describe('alb format', () => {
  void it('reads an ALB line, the client port dropped and the request time summed', () => {
    const hit = hitOf(
      parseLine(
        line('8.8.8.8:2817', '0.001 0.042 0.000', '200 200', 'GET https://www.example.com:443/x?y HTTP/1.1'),
        'auto',
      ),
    );
    assert.deepEqual(
      [
        hit.format,
        hit.ip,
        hit.method,
        hit.target,
        hit.httpVersion,
        hit.status,
        hit.bytes,
        hit.userAgent,
        hit.requestTimeMs,
      ],
      ['alb', '8.8.8.8', 'GET', 'https://www.example.com:443/x?y', 'HTTP/1.1', 200, 366, 'curl/8.5.0', 43],
    );
    assert.equal(hit.time.epochMs, utc(2024, 3, 12, 8, 17, 1, 186));
    assert.equal(hit.extra?.trace_id, 'Root=1-5');
    assert.equal(hit.extra?.elb, 'app/lb/50dc');
    assert.equal(hit.extra?.received_bytes, '34');
  });

  void it('reads a bracketed IPv6 client, -1 times as no request time, a missing target status', () => {
    const hit = hitOf(
      parseLine(line('[2001:db8::5]:443', '-1 -1 -1', '502 -', 'GET https://a.example:443/ HTTP/1.1'), 'alb'),
    );
    assert.deepEqual([hit.ip, hit.requestTimeMs, hit.status], ['2001:db8::5', null, 502]);
  });

  void it('keeps a request that is not HTTP whole', () => {
    const hit = hitOf(
      parseLine(line('8.8.8.8:1', '0 0 0', '400 -', '- https://a.example:443- -', '-'), 'alb'),
    );
    assert.deepEqual(
      [hit.method, hit.target, hit.userAgent, hit.extra?.request],
      [null, null, null, '- https://a.example:443- -'],
    );
  });

  void it('reads an escaped quote in the user agent', () => {
    const hit = hitOf(
      parseLine(line('8.8.8.8:1', '0 0 0', '200 200', 'GET / HTTP/1.1', 'a \\"b\\" c'), 'alb'),
    );
    assert.equal(hit.userAgent, 'a "b" c');
  });

  const rejected: [string, string, RegExp][] = [
    [
      'an unknown type',
      line('8.8.8.8:1', '0 0 0', '200 200', 'GET / HTTP/1.1').replace(/^https/, 'ftp'),
      /alb: expected a request type/,
    ],
    [
      'a bad time',
      line('8.8.8.8:1', '0 0 0', '200 200', 'GET / HTTP/1.1').replace('2024-03-12T08', '2024-13-12T08'),
      /alb: bad date/,
    ],
    ['a bad status', line('8.8.8.8:1', '0 0 0', 'abc -', 'GET / HTTP/1.1'), /alb: bad elb_status_code/],
    [
      'too few fields',
      'https 2024-03-12T08:17:01Z app/lb/1 8.8.8.8:1 - 0 0 0 200',
      /alb: expected at least 14 fields/,
    ],
  ];
  for (const [name, text, reason] of rejected) {
    void it(`rejects ${name}`, () => assert.match(reasonOf(parseLine(text, 'alb')), reason));
  }
});
