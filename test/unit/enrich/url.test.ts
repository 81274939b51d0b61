import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { splitTarget, type UrlParts } from '../../../src/enrich/index.js';

function parts(
  scheme: string | null,
  host: string | null,
  port: number | null,
  path: string | null,
  query: string | null,
): UrlParts {
  return { scheme, host, port, path, query };
}

const NONE = parts(null, null, null, null, null);

void describe('splitTarget', () => {
  const table: [string | null, string | null, string | null, UrlParts][] = [
    [
      'https://journals.example.org:443/search?q=heart%20failure&page=2',
      null,
      null,
      parts('https', 'journals.example.org', 443, '/search', 'q=heart%20failure&page=2'),
    ],
    ['http://Example.COM/a%2Fb', null, null, parts('http', 'example.com', 80, '/a%2Fb', null)],
    ['https://example.com', null, null, parts('https', 'example.com', 443, '/', null)],
    ['https://example.com?x=1', null, null, parts('https', 'example.com', 443, '/', 'x=1')],
    ['HTTPS://example.com:8443/p?', null, null, parts('https', 'example.com', 8443, '/p', null)],
    ['http://user:pw@example.com:8080/p#frag', null, null, parts('http', 'example.com', 8080, '/p', null)],
    ['http://[2001:db8::1]:8080/x?y', null, null, parts('http', '[2001:db8::1]', 8080, '/x', 'y')],
    ['http://[::1]/', null, null, parts('http', '[::1]', 80, '/', null)],
    ['ws://chat.example/socket', null, null, parts('ws', 'chat.example', 80, '/socket', null)],
    ['gopher://old.example/1', null, null, parts('gopher', 'old.example', null, '/1', null)],
    ['http://example.com:/x', null, null, parts('http', 'example.com', 80, '/x', null)],
    ['/index.html?x=1', null, null, parts(null, null, null, '/index.html', 'x=1')],
    ['/index.html?x=1', 'www.example.org', null, parts(null, 'www.example.org', null, '/index.html', 'x=1')],
    ['/index.html', 'www.example.org', 'https', parts('https', 'www.example.org', 443, '/index.html', null)],
    ['/a?b=c?d', 'Shop.Example:8080', 'http', parts('http', 'shop.example', 8080, '/a', 'b=c?d')],
    ["/q?id=1'%20OR%201=1;--", null, null, parts(null, null, null, '/q', "id=1'%20OR%201=1;--")],
    ['//double/slash', null, null, parts(null, null, null, '//double/slash', null)],
    ['example.com:443', null, null, parts(null, 'example.com', 443, null, null)],
    // Garbage: never a throw, all null.
    ['http://[::1', null, null, NONE],
    ['http://ex ample.com/', null, null, NONE],
    ['http://example.com:99999/', null, null, NONE],
    ['http://example.com:8x/', null, null, NONE],
    ['http:///nohost', null, null, NONE],
    ['*', 'www.example.org', null, NONE],
    ['\\x16\\x03', null, null, NONE],
    ['', null, null, NONE],
    [null, 'www.example.org', null, NONE],
  ];
  for (const [target, host, scheme, expected] of table) {
    void it(`${JSON.stringify(target)} (host ${host}, scheme ${scheme})`, () => {
      assert.deepEqual(splitTarget(target, host, scheme), expected);
    });
  }

  void it('never throws and agrees with WHATWG URL on http(s) URLs it accepts', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true }), (url) => {
        const got = splitTarget(url);
        const ref = new URL(url);
        assert.equal(got.scheme, ref.protocol.slice(0, -1));
        assert.equal(got.host, ref.hostname);
        assert.equal(got.port, ref.port === '' ? (ref.protocol === 'https:' ? 443 : 80) : Number(ref.port));
        // WHATWG percent-encodes `'` in the query of http(s) URLs; we keep the query as written.
        assert.equal(
          got.query?.replaceAll("'", '%27') ?? null,
          ref.search === '' ? null : ref.search.slice(1),
        );
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        splitTarget(s, s, s);
        splitTarget(`http://${s}`);
      }),
      { numRuns: 1000 },
    );
  });
});
