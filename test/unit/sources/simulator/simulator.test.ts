import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { createTrafficSimulator, SIMULATED_FORMATS } from '../../../../src/sources/simulator/index.js';
import type { SimulatedFormat } from '../../../../src/sources/simulator/index.js';
import { fieldsOf, type Fields } from './line-shapes.js';

const START_MS = Date.UTC(2022, 10, 1, 5, 0, 0); // 01/Nov/2022:00:00:00 -0500

function lines(
  format: SimulatedFormat,
  count: number,
  seed = 7,
  more: { utcOffset?: string } = {},
): string[] {
  return createTrafficSimulator({ seed, startMs: START_MS, format, ...more }).take(count);
}

describe('traffic simulator', () => {
  for (const format of SIMULATED_FORMATS) {
    describe(format, () => {
      const sample = lines(format, 10_000);
      const fields = sample.map((line) => fieldsOf(format, line));

      test('the same seed gives the same lines', () => {
        assert.deepEqual(lines(format, 2000), sample.slice(0, 2000));
      });

      test('another seed gives other lines', () => {
        const other = lines(format, 2000, 8);
        const same = other.filter((line, i) => line === sample[i]).length;
        assert.ok(same < 20, `${same} of 2000 lines are identical`);
      });

      test('every line has the strict shape of the format (fieldsOf throws otherwise)', () => {
        assert.equal(fields.length, sample.length);
        for (const line of sample) assert.ok(!line.includes('\n') && !line.includes('\r'));
      });

      test('times start at startMs and never decrease, at the default offset -0500', () => {
        assert.equal(fields[0]?.epochMs, START_MS);
        assert.match(sample[0] ?? '', /\[01\/Nov\/2022:00:00:00 -0500\]/);
        for (let i = 1; i < fields.length; i++) {
          const [before, after] = [fields[i - 1] as Fields, fields[i] as Fields];
          assert.ok(after.epochMs >= before.epochMs, `line ${i + 1} goes back in time`);
        }
        assert.ok(fields.every((f) => f.offset === '-0500'));
        const spanSeconds = ((fields.at(-1) as Fields).epochMs - START_MS) / 1000;
        // 10,000 lines at the default 5 lines per second: about 2,000 s.
        assert.ok(spanSeconds > 1500 && spanSeconds < 2500, `span ${spanSeconds} s`);
      });

      test('a believable mix of methods, statuses and clients', () => {
        const share = (keep: (f: Fields) => boolean): number => fields.filter(keep).length / fields.length;
        const get = share((f) => f.method === 'GET');
        assert.ok(get >= 0.7 && get <= 0.95, `GET share ${get}`);
        for (const method of ['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH']) {
          assert.ok(
            fields.some((f) => f.method === method),
            `no ${method}`,
          );
        }
        const ok = share((f) => f.status === 200);
        assert.ok(ok > 0.6 && ok < 0.95, `200 share ${ok}`);
        for (const status of [301, 302, 304, 404, 500, 502, 503]) {
          assert.ok(
            fields.some((f) => f.status === status),
            `no ${status}`,
          );
        }
        assert.ok(share((f) => f.status >= 500) < 0.03, 'too many server errors');
        assert.ok(fields.filter((f) => f.status === 304).every((f) => f.bytes === 0));
        assert.ok(fields.filter((f) => f.method === 'HEAD').every((f) => f.bytes === 0));
        const ipv6 = share((f) => isIP(f.ip) === 6);
        assert.ok(ipv6 > 0.03 && ipv6 < 0.3, `IPv6 share ${ipv6}`);
        assert.ok(
          fields.some((f) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(f.ip)),
          'no private',
        );
        assert.ok(new Set(fields.map((f) => f.ip)).size > 300, 'too few distinct clients');
        assert.ok(
          fields.every((f) => !/^(192\.0\.2|198\.51\.100|203\.0\.113)\./.test(f.ip)),
          'documentation range',
        );
        const users = new Set(fields.flatMap((f) => (f.user === null ? [] : [f.user])));
        assert.ok(
          [...users].some((u) => u.includes('@')),
          'no e-mail users',
        );
        assert.ok(
          [...users].some((u) => !u.includes('@')),
          'no login users',
        );
        const signedIn = share((f) => f.user !== null);
        assert.ok(signedIn > 0.05 && signedIn < 0.6, `signed-in share ${signedIn}`);
      });

      test('sizes fit the resource', () => {
        const js = fields.filter((f) => f.target.endsWith('.js') && f.status === 200);
        const icons = fields.filter((f) => f.target.endsWith('/favicon.svg') && f.status === 200);
        assert.ok(js.length > 0 && icons.length > 0);
        assert.ok(js.every((f) => f.bytes > 8000));
        assert.ok(icons.every((f) => f.bytes < 8000));
        const redirects = fields.filter((f) => f.status === 301 || f.status === 302);
        assert.ok(redirects.every((f) => f.bytes < 1000));
      });
    });
  }

  test('proxy lines carry absolute URLs, sessions and https mostly', () => {
    const fields = lines('proxy', 5000).map((line) => fieldsOf('proxy', line));
    assert.ok(fields.every((f) => /^https?:\/\/[a-z.]+\.example\.(org|com|net):(443|80)\//.test(f.target)));
    const https = fields.filter(
      (f) => f.target.startsWith('https://:443') || f.target.startsWith('https://'),
    );
    assert.ok(https.length / fields.length > 0.9);
    assert.ok(fields.some((f) => f.target.startsWith('http://') && f.target.includes(':80/')));
    const sessions = fields.filter((f) => f.session !== null).length / fields.length;
    assert.ok(sessions > 0.3 && sessions < 0.95, `session share ${sessions}`);
    assert.ok(
      fields.some((f) => f.target.includes('?')),
      'no query strings',
    );
  });

  test('combined lines have bots and browsers, referrers from the site and from search engines', () => {
    const fields = lines('combined', 10_000).map((line) => fieldsOf('combined', line));
    const agents = fields.map((f) => f.userAgent ?? '');
    const bots = agents.filter((ua) => /bot|crawler|spider|curl|python-requests|Wget|zgrab/i.test(ua)).length;
    assert.ok(
      bots / fields.length > 0.03 && bots / fields.length < 0.35,
      `bot share ${bots / fields.length}`,
    );
    for (const name of [
      'Googlebot',
      'bingbot',
      'curl/',
      'python-requests',
      'Chrome/',
      'Firefox/',
      'Safari/',
    ]) {
      assert.ok(
        agents.some((ua) => ua.includes(name)),
        `no ${name}`,
      );
    }
    for (const os of ['Windows NT', 'Macintosh', 'Linux; Android', 'iPhone', 'X11; Linux']) {
      assert.ok(
        agents.some((ua) => ua.includes(os)),
        `no ${os}`,
      );
    }
    const referrers = fields.flatMap((f) => (f.referrer === null ? [] : [f.referrer]));
    assert.ok(referrers.length / fields.length > 0.5, 'too few referrers');
    assert.ok(referrers.some((r) => /^https:\/\/www\.google\./.test(r)));
    const sameSite = referrers.filter((r) => /^https:\/\/[a-z.]+\.example\.(org|com|net)\//.test(r)).length;
    assert.ok(sameSite / referrers.length > 0.6, 'referrers mostly from the same site');
  });

  test('common lines write some empty bodies as -', () => {
    const sample = lines('common', 5000);
    assert.ok(sample.some((line) => / 304 -$/.test(line)));
    assert.ok(sample.some((line) => / 304 0$/.test(line)));
  });

  test('another offset moves the wall-clock time, not the instant', () => {
    const india = lines('proxy', 500, 7, { utcOffset: '+0530' });
    const reference = lines('proxy', 500, 7);
    assert.match(india[0] ?? '', /\[01\/Nov\/2022:10:30:00 \+0530\]/);
    india.forEach((line, i) => {
      assert.equal(fieldsOf('proxy', line).epochMs, fieldsOf('proxy', reference[i] ?? '').epochMs);
    });
  });

  test('linesPerSecond sets the pace of simulated time', () => {
    const sim = createTrafficSimulator({
      seed: 3,
      startMs: START_MS,
      format: 'common',
      linesPerSecond: 1000,
    });
    sim.take(10_000);
    const seconds = (sim.nowMs - START_MS) / 1000;
    assert.ok(seconds > 8 && seconds < 12, `${seconds} s for 10,000 lines at 1000/s`);
  });

  test('bad options are refused, naming the option', () => {
    const base = { seed: 1, startMs: START_MS, format: 'proxy' } as const;
    assert.throws(() => createTrafficSimulator({ ...base, utcOffset: '+5' }), /UTC offset "\+5"/);
    assert.throws(() => createTrafficSimulator({ ...base, utcOffset: '+1500' }), /beyond/);
    assert.throws(() => createTrafficSimulator({ ...base, linesPerSecond: 0 }), /linesPerSecond/);
    assert.throws(() => createTrafficSimulator({ ...base, concurrentVisits: 0.5 }), /concurrentVisits/);
    assert.throws(() => createTrafficSimulator({ ...base, seed: Number.NaN }), /seed/);
    assert.throws(() => createTrafficSimulator({ ...base, startMs: Number.POSITIVE_INFINITY }), /startMs/);
    assert.throws(
      () => createTrafficSimulator({ ...base, format: 'w3c' as unknown as SimulatedFormat }),
      /format must be one of proxy, common, combined/,
    );
  });
});
