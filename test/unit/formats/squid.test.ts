import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLine } from '../../../src/formats/index.js';
import { hitOf, reasonOf } from './table.js';

void describe('squid format', () => {
  void it('reads a native line with padded columns', () => {
    const hit = hitOf(
      parseLine(
        '1710231421.779    180 8.8.8.8 TCP_MISS/200 18932 GET http://www.example.com/ - HIER_DIRECT/93.184.216.34 text/html',
        'auto',
      ),
    );
    assert.deepEqual(
      [
        hit.format,
        hit.time.epochMs,
        hit.ip,
        hit.status,
        hit.bytes,
        hit.method,
        hit.target,
        hit.user,
        hit.requestTimeMs,
      ],
      ['squid', 1710231421779, '8.8.8.8', 200, 18932, 'GET', 'http://www.example.com/', null, 180],
    );
    assert.deepEqual(hit.extra, {
      squid_code: 'TCP_MISS',
      hierarchy: 'HIER_DIRECT/93.184.216.34',
      content_type: 'text/html',
    });
  });

  void it('reads a CONNECT with a user, and status 000 as 0', () => {
    const connect = hitOf(
      parseLine(
        '1710231423.5 1203 1.1.1.1 TCP_TUNNEL/200 52431 CONNECT login.example.org:443 jdoe HIER_DIRECT/1.2.3.4 -',
        'squid',
      ),
    );
    assert.deepEqual(
      [connect.target, connect.user, connect.time.epochMs],
      ['login.example.org:443', 'jdoe', 1710231423500],
    );
    const aborted = hitOf(parseLine('1710231425 5 ::1 TCP_MISS/000 0 GET http://a.example/', 'squid'));
    assert.deepEqual([aborted.status, aborted.extra], [0, { squid_code: 'TCP_MISS' }]);
  });

  const rejected: [string, string, RegExp][] = [
    [
      'a CLF line',
      '192.0.2.1 - - [12/Mar/2024:08:15:02 +0100] "GET / HTTP/1.1" 200 5',
      /squid: bad epoch time/,
    ],
    [
      'a missing status',
      '1710231421.779 180 8.8.8.8 TCP_MISS 18932 GET http://a/',
      /squid: expected "<result code>\/<status>"/,
    ],
    ['a bad size', '1710231421.779 180 8.8.8.8 TCP_MISS/200 x GET http://a/', /squid: bad size/],
    ['too few fields', '1710231421.779 180 8.8.8.8', /squid: expected at least 7 fields/],
  ];
  for (const [name, line, reason] of rejected) {
    void it(`rejects ${name}`, () => assert.match(reasonOf(parseLine(line, 'squid')), reason));
  }
});
