import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLine } from '../../../src/formats/index.js';
import { hitOf, reasonOf, utc } from './table.js';

const T = '[12/Mar/2024:08:15:02 +0100]';
const R = '"GET /a?b=1 HTTP/1.1" 200 512 "https://ref.example/x" "UA"';

void describe('vcombined format', () => {
  void it('reads the vhost and port first, then a combined line', () => {
    const hit = hitOf(parseLine(`WWW.Example.com:443 8.8.8.8 - - ${T} ${R}`, 'vcombined'));
    assert.deepEqual(
      [hit.format, hit.vhost, hit.ip, hit.target, hit.status, hit.bytes, hit.referrer, hit.userAgent],
      ['vcombined', 'www.example.com:443', '8.8.8.8', '/a?b=1', 200, 512, 'https://ref.example/x', 'UA'],
    );
    assert.equal(hit.time.epochMs, utc(2024, 3, 12, 7, 15, 2));
  });

  const table: [string, string, Record<string, unknown>][] = [
    ['no port', `shop.example ${'2001:db8::9'} - - ${T} ${R}`, { vhost: 'shop.example', ip: '2001:db8::9' }],
    ['a bracketed IPv6 vhost', `[2001:db8::1]:8443 8.8.8.8 - - ${T} ${R}`, { vhost: '[2001:db8::1]:8443' }],
    [
      'an X-Forwarded-For chain after the user agent',
      `a.example 10.0.0.1 - - ${T} ${R} "1.1.1.1, 10.0.0.1"`,
      { ip: '1.1.1.1', forwardedFor: '1.1.1.1, 10.0.0.1', extra: { remote_addr: '10.0.0.1' } },
    ],
    [
      'escaped quotes and a TLS probe',
      `a.example 10.0.0.1 - - ${T} "\\x16\\x03\\x01" 400 0 "-" "say \\"hi\\""`,
      { method: null, userAgent: 'say "hi"', extra: { request: '\\x16\\x03\\x01' } },
    ],
  ];
  for (const [name, line, expected] of table) {
    void it(name, () => {
      const hit = hitOf(parseLine(line, 'vcombined'));
      for (const [key, value] of Object.entries(expected))
        assert.deepEqual(hit[key as keyof typeof hit], value, key);
    });
  }

  const rejected: [string, string, RegExp][] = [
    ['a combined line', `8.8.8.8 - - ${T} ${R}`, /vcombined: expected "\[" before the time/],
    ['a vhost of "-"', `- 8.8.8.8 - - ${T} ${R}`, /vcombined: expected "<vhost>\[:<port>\] " first/],
    ['a vhost with a quote', `a"b 8.8.8.8 - - ${T} ${R}`, /vcombined: expected "<vhost>/],
    [
      'a common tail',
      `a.example 8.8.8.8 - - ${T} "GET / HTTP/1.1" 200 5`,
      /vcombined: expected ' "<referrer>"'/,
    ],
  ];
  for (const [name, line, reason] of rejected) {
    void it(`rejects ${name}`, () => assert.match(reasonOf(parseLine(line, 'vcombined')), reason));
  }
});
