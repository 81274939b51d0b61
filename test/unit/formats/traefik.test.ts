import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLine } from '../../../src/formats/index.js';
import { hitOf, reasonOf } from './table.js';

const HEAD = '8.8.8.8 - bob [12/Mar/2024:08:16:01.125 +0200] "GET /whoami HTTP/1.1" 200 402 "-" "curl/8.5.0"';

void describe('traefik format', () => {
  void it('reads the request count, router, service URL and duration', () => {
    const hit = hitOf(parseLine(`${HEAD} 17 "whoami@docker" "http://172.18.0.4:80" 1205ms`, 'auto'));
    assert.equal(hit.format, 'traefik');
    assert.equal(hit.requestTimeMs, 1205);
    assert.equal(hit.user, 'bob');
    assert.deepEqual(hit.extra, {
      request_count: '17',
      router: 'whoami@docker',
      service_url: 'http://172.18.0.4:80',
    });
  });

  void it('reads "-" router and service as absent', () => {
    const hit = hitOf(parseLine(`${HEAD} 4 "-" "-" 0ms`, 'traefik'));
    assert.deepEqual(hit.extra, { request_count: '4' });
    assert.equal(hit.requestTimeMs, 0);
  });

  const rejected: [string, string, RegExp][] = [
    ['a plain combined line', HEAD, /traefik: expected " <request count>"/],
    ['a duration without ms', `${HEAD} 1 "r" "s" 12`, /traefik: expected " <duration>ms" at the end/],
    ['text after the duration', `${HEAD} 1 "r" "s" 12ms x`, /traefik: expected " <duration>ms" at the end/],
    ['an unquoted router', `${HEAD} 1 r "s" 12ms`, /traefik: expected "<router name>"/],
  ];
  for (const [name, line, reason] of rejected) {
    void it(`rejects ${name}`, () => assert.match(reasonOf(parseLine(line, 'traefik')), reason));
  }

  void it('leaves a plain combined line to combined in auto-detection', () => {
    assert.equal(hitOf(parseLine(HEAD, 'auto')).format, 'combined');
  });
});
