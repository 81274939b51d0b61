import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDetectMemo, parseLine } from '../../../src/formats/index.js';
import { hitOf, reasonOf, utc } from './table.js';

const FIELDS =
  '#Fields: date time c-ip cs-method cs-uri-stem cs-uri-query cs(User-Agent) sc-status sc-bytes time-taken cs-host X-Forwarded-For s-port';

void describe('w3c format', () => {
  void it('reads lines with the columns of the last #Fields, which is rejected as a directive', () => {
    const memo = createDetectMemo();
    assert.match(
      reasonOf(parseLine('#Software: Microsoft Internet Information Services 10.0', 'auto', memo)),
      /^w3c: directive #Software/,
    );
    assert.equal(memo.last, 'w3c');
    assert.match(reasonOf(parseLine(FIELDS, 'auto', memo)), /^w3c: directive #Fields: sets the columns/);
    const hit = hitOf(
      parseLine(
        '2024-03-12 08:18:02.123 10.0.0.50 POST /api id=7 okhttp/4.12.0+(x) 201 87 230 api.example.com 1.1.1.1,+10.0.0.50 443',
        'auto',
        memo,
      ),
    );
    assert.deepEqual(
      [
        hit.format,
        hit.time.epochMs,
        hit.ip,
        hit.method,
        hit.target,
        hit.userAgent,
        hit.status,
        hit.bytes,
        hit.requestTimeMs,
        hit.vhost,
      ],
      [
        'w3c',
        utc(2024, 3, 12, 8, 18, 2, 123),
        '1.1.1.1',
        'POST',
        '/api?id=7',
        'okhttp/4.12.0 (x)',
        201,
        87,
        230,
        'api.example.com',
      ],
    );
    assert.equal(hit.forwardedFor, '1.1.1.1,+10.0.0.50');
    assert.deepEqual(hit.extra, { 's-port': '443', remote_addr: '10.0.0.50' });
  });

  void it("uses IIS's default columns before any #Fields", () => {
    const hit = hitOf(
      parseLine(
        '2024-03-12 08:18:01 10.0.0.4 GET /default.htm - 443 - 8.8.8.8 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 15',
        'auto',
        createDetectMemo(),
      ),
    );
    assert.deepEqual(
      [hit.ip, hit.target, hit.userAgent, hit.requestTimeMs, hit.bytes],
      ['8.8.8.8', '/default.htm', 'Mozilla/5.0 (Windows NT 10.0)', 15, 0],
    );
  });

  void it('reads CloudFront-style tab-separated lines, time-taken in seconds', () => {
    const memo = createDetectMemo();
    parseLine(
      '#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query time-taken',
      'w3c',
      memo,
    );
    const hit = hitOf(
      parseLine(
        [
          '2024-03-12',
          '08:18:05',
          'FRA56-C1',
          '2310',
          '81.2.69.142',
          'GET',
          'd111.cloudfront.net',
          '/a.png',
          '200',
          '-',
          'Mozilla/5.0%20(X11)',
          '-',
          '0.002',
        ].join('\t'),
        'w3c',
        memo,
      ),
    );
    assert.deepEqual(
      [hit.ip, hit.vhost, hit.userAgent, hit.requestTimeMs, hit.extra],
      ['81.2.69.142', 'd111.cloudfront.net', 'Mozilla/5.0 (X11)', 2, { 'x-edge-location': 'FRA56-C1' }],
    );
  });

  const rejected: [string, string, RegExp][] = [
    [
      'a line with a missing column',
      '2024-03-12 08:18:01 10.0.0.4 GET /',
      /w3c: 5 values where #Fields names 15/,
    ],
    [
      'a bad date',
      '2024-02-30 08:18:01 10.0.0.4 GET /default.htm - 443 - 8.8.8.8 UA - 200 0 0 15',
      /w3c: bad date/,
    ],
    [
      'a bad status',
      '2024-03-12 08:18:01 10.0.0.4 GET /default.htm - 443 - 8.8.8.8 UA - OK 0 0 15',
      /w3c: bad sc-status/,
    ],
    ['a #Fields without a status', '#Fields: date time c-ip', /w3c: #Fields has no date, time and sc-status/],
    ['a comment that is no directive', '# hello', /w3c: a "#" line that is no W3C directive/],
    [
      'a CLF line',
      '192.0.2.1 - - [12/Mar/2024:08:15:02 +0100] "GET / HTTP/1.1" 200 5',
      /w3c: expected a date/,
    ],
  ];
  for (const [name, line, reason] of rejected) {
    void it(`rejects ${name}`, () =>
      assert.match(reasonOf(parseLine(line, 'w3c', createDetectMemo())), reason));
  }

  void it('keeps a source’s columns apart from another source’s', () => {
    const a = createDetectMemo();
    const b = createDetectMemo();
    parseLine('#Fields: date time c-ip sc-status', 'w3c', a);
    assert.ok(parseLine('2024-03-12 08:18:01 8.8.8.8 200', 'w3c', a).ok);
    assert.match(
      reasonOf(parseLine('2024-03-12 08:18:01 8.8.8.8 200', 'w3c', b)),
      /4 values where #Fields names 15/,
    );
  });
});
