import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUserAgentLookup, enrich, parseUserAgent, referrerHost } from '../../../src/enrich/index.js';
import { parseLine } from '../../../src/formats/index.js';

const CHROME_WIN =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1';
const IPAD =
  'Mozilla/5.0 (iPad; CPU OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0';
const CHROME_ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.64 Mobile Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

void describe('user agents', () => {
  const table: [
    string,
    string,
    {
      browser: string | null;
      browserVersion: string | null;
      os: string | null;
      device: string | null;
      isBot: boolean;
    },
  ][] = [
    [
      'Chrome on Windows',
      CHROME_WIN,
      { browser: 'Chrome', browserVersion: '122.0.0.0', os: 'Windows 10', device: 'desktop', isBot: false },
    ],
    [
      'Safari on an iPhone',
      SAFARI_IPHONE,
      { browser: 'Mobile Safari', browserVersion: '17.3', os: 'iOS 17.3', device: 'mobile', isBot: false },
    ],
    [
      'Safari on an iPad',
      IPAD,
      { browser: 'Mobile Safari', browserVersion: '17.3', os: 'iOS 17.3', device: 'tablet', isBot: false },
    ],
    [
      'Firefox on Linux',
      FIREFOX_LINUX,
      { browser: 'Firefox', browserVersion: '123.0', os: 'Linux', device: 'desktop', isBot: false },
    ],
    [
      'Chrome on Android',
      CHROME_ANDROID,
      {
        browser: 'Chrome',
        browserVersion: '122.0.6261.64',
        os: 'Android 14',
        device: 'mobile',
        isBot: false,
      },
    ],
    ['Googlebot', GOOGLEBOT, { browser: null, browserVersion: null, os: null, device: 'bot', isBot: true }],
    ['curl', 'curl/8.5.0', { browser: null, browserVersion: null, os: null, device: 'bot', isBot: true }],
  ];
  for (const [name, ua, expected] of table) {
    void it(name, () => {
      const info = parseUserAgent(ua);
      // A bot's browser and OS are whatever ua-parser-js makes of it: only the device and flag are ours.
      if (expected.isBot) assert.deepEqual([info.device, info.isBot], [expected.device, expected.isBot]);
      else assert.deepEqual(info, expected);
    });
  }

  void it('caches results, bounded, least recently used out first', () => {
    const lookup = createUserAgentLookup(2);
    const chrome = lookup(CHROME_WIN);
    const firefox = lookup(FIREFOX_LINUX);
    assert.equal(lookup(CHROME_WIN), chrome, 'a cached result is the same object');
    lookup(GOOGLEBOT); // evicts Firefox, now the least recently used
    assert.equal(lookup(CHROME_WIN), chrome);
    const again = lookup(FIREFOX_LINUX);
    assert.notEqual(again, firefox, 'an evicted entry is parsed anew');
    assert.deepEqual(again, firefox);
  });

  void it('keeps at most maxEntries results: the ten last of a hundred, not the eleventh', () => {
    const lookup = createUserAgentLookup(10);
    const agents = Array.from({ length: 100 }, (_, n) => `Mozilla/5.0 (X11; Linux x86_64) Test/${n}`);
    const first = agents.map((agent) => lookup(agent));
    assert.notEqual(lookup(agents[89] as string), first[89], 'the eleventh most recent was dropped');
    assert.equal(lookup(agents[99] as string), first[99], 'the most recent is kept');
  });

  void it('fills the enriched hit, and only when the lookup is given', () => {
    const hit = parseLine(
      `8.8.8.8 - - [12/Mar/2024:08:15:02 +0100] "GET / HTTP/1.1" 200 5 "https://WWW.Google.com:443/search?q=x" "${GOOGLEBOT}"`,
      'combined',
    );
    assert.ok(hit.ok);
    const on = enrich(hit.hit, { userAgent: createUserAgentLookup() });
    assert.deepEqual([on.isBot, on.device, on.referrerHost], [true, 'bot', 'www.google.com']);
    const off = enrich(hit.hit);
    assert.deepEqual(
      [off.isBot, off.device, off.browser, off.os, off.referrerHost],
      [null, null, null, null, 'www.google.com'],
    );
    const noUa = enrich({ ...hit.hit, userAgent: null }, { userAgent: createUserAgentLookup() });
    assert.equal(noUa.isBot, null);
  });
});

void describe('referrerHost', () => {
  const table: [string | null, string | null][] = [
    ['https://www.google.com/search?q=1', 'www.google.com'],
    ['http://User:pw@Example.ORG:8080/x', 'example.org'],
    ['android-app://com.google.android.gm/', 'com.google.android.gm'],
    ['/relative/path', null],
    ['-', null],
    [null, null],
  ];
  for (const [referrer, host] of table)
    void it(String(referrer), () => assert.equal(referrerHost(referrer), host));
});
