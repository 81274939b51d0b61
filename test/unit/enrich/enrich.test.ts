import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParsedHit } from '../../../src/domain/index.js';
import { enrich } from '../../../src/enrich/index.js';
import { parseLine } from '../../../src/formats/index.js';

function parsed(line: string): ParsedHit {
  const result = parseLine(line, 'auto');
  if (!result.ok) assert.fail(result.reason);
  return result.hit;
}

const PROXY =
  '203.0.113.7 Xy7Pq2LmN4rT8vB jane.doe@Example.ORG [31/Dec/2022:23:30:00 -0500] "GET https://journals.example.org:443/search?q=heart%20failure&page=2 HTTP/1.1" 404 30013 -';

void describe('enrich', () => {
  void it('derives every clean-table field of a proxy hit', () => {
    const hit = parsed(PROXY);
    const { ts, ...rest } = enrich(hit);
    assert.equal(ts.toISOString(), '2023-01-01T04:30:00.000Z');
    assert.deepEqual(rest, {
      ...hit,
      scheme: 'https',
      host: 'journals.example.org',
      port: 443,
      path: '/search',
      query: 'q=heart%20failure&page=2',
      statusText: 'Not Found',
      isEmail: true,
      emailDomain: 'example.org',
      country: null,
      countryCode: null,
      city: null,
      geoDb: null,
      referrerHost: null,
      browser: null,
      browserVersion: null,
      os: null,
      device: null,
      isBot: null,
    });
  });

  void it('gives path-only targets the default host and scheme', () => {
    const hit = parsed('192.0.2.1 - bob [01/Nov/2022:00:00:15 +0000] "GET /a?b HTTP/1.1" 200 2048');
    const e = enrich(hit, { defaultHost: 'www.example.org', defaultScheme: 'https' });
    assert.deepEqual(
      [e.scheme, e.host, e.port, e.path, e.query],
      ['https', 'www.example.org', 443, '/a', 'b'],
    );
    assert.deepEqual([e.bytes, e.isEmail, e.emailDomain], [2048, false, null]);
  });

  void it('prefers the hit’s vhost to the default host', () => {
    const hit = {
      ...parsed('192.0.2.1 - - [01/Nov/2022:00:00:15 +0000] "GET / HTTP/1.1" 200 0'),
      vhost: 'shop.example:8080',
    };
    const e = enrich(hit, { defaultHost: 'www.example.org' });
    assert.deepEqual([e.host, e.port], ['shop.example', 8080]);
  });

  void it('asks the geo lookup for a public client address, and stamps the database', () => {
    const asked: string[] = [];
    const publicProxy = PROXY.replace('203.0.113.7', '81.2.69.142');
    const e = enrich(parsed(publicProxy), {
      geo: (ip) => {
        asked.push(ip);
        return { country: 'Example Land', countryCode: 'XL', city: 'Sample City' };
      },
      geoDb: 'Test DB 2026-01-01',
    });
    assert.deepEqual(asked, ['81.2.69.142']);
    assert.deepEqual(
      [e.country, e.countryCode, e.city, e.geoDb],
      ['Example Land', 'XL', 'Sample City', 'Test DB 2026-01-01'],
    );
    const none = enrich(parsed(publicProxy), { geo: () => null, geoDb: 'Test DB' });
    assert.deepEqual([none.country, none.countryCode, none.city, none.geoDb], [null, null, null, 'Test DB']);
  });

  void it('never asks about private, reserved or documentation addresses', () => {
    for (const ip of [
      '10.1.2.3',
      '192.168.0.9',
      '127.0.0.1',
      '203.0.113.7',
      '::1',
      'fe80::1',
      '2001:db8::1',
      'fd00::5',
    ]) {
      const asked: string[] = [];
      const e = enrich(
        { ...parsed(PROXY), ip },
        {
          geo: (address) => {
            asked.push(address);
            return { country: 'Wrong', countryCode: 'XX', city: 'Wrong' };
          },
          geoDb: 'Test DB',
        },
      );
      assert.deepEqual(asked, [], ip);
      assert.deepEqual([e.country, e.countryCode, e.city, e.geoDb], [null, null, null, null], ip);
    }
  });

  void it('leaves URL fields null for a TLS probe, and a 0 size', () => {
    const e = enrich(parsed('192.0.2.1 - - [01/Nov/2022:00:00:15 +0000] "\\x16\\x03\\x01" 400 - "-" "-"'));
    assert.deepEqual([e.scheme, e.host, e.port, e.path, e.query], [null, null, null, null, null]);
    assert.deepEqual([e.statusText, e.bytes], ['Bad Request', 0]);
  });
});
