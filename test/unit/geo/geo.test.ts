import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  countryNameOf,
  locationOfRecord,
  openGeoDatabase,
  type GeoDatabase,
} from '../../../src/geo/index.js';
import { cachedByAddress } from '../../../src/geo/open.js';
import { enrich } from '../../../src/enrich/index.js';
import { parseLine } from '../../../src/formats/index.js';

void describe('MMDB records', () => {
  void it('reads the DB-IP Lite shape, naming the country from its code', () => {
    assert.deepEqual(
      locationOfRecord({ city: 'London', country_code: 'GB', state1: 'England', latitude: 51.5 }),
      {
        country: 'United Kingdom',
        countryCode: 'GB',
        city: 'London',
      },
    );
  });

  void it('reads the GeoLite2 City shape', () => {
    const record = {
      city: { geoname_id: 2643743, names: { de: 'London', en: 'London (en)' } },
      country: {
        geoname_id: 2635167,
        iso_code: 'GB',
        names: { en: 'United Kingdom (en)', fr: 'Royaume-Uni' },
      },
      registered_country: { iso_code: 'GB', names: { en: 'United Kingdom' } },
      location: { latitude: 51.5, longitude: -0.09 },
    };
    assert.deepEqual(locationOfRecord(record), {
      country: 'United Kingdom (en)',
      countryCode: 'GB',
      city: 'London (en)',
    });
  });

  void it('falls back to the registered country (GeoLite2 anycast) and has no city in a Country database', () => {
    assert.deepEqual(locationOfRecord({ registered_country: { iso_code: 'us', names: {} } }), {
      country: 'United States',
      countryCode: 'US',
      city: null,
    });
  });

  void it('answers null for an empty or foreign record', () => {
    for (const record of [null, undefined, 'x', {}, { country_code: '' }, { continent: { code: 'EU' } }]) {
      assert.equal(locationOfRecord(record), null, JSON.stringify(record));
    }
    assert.equal(countryNameOf('ZZZ'), null);
  });
});

void describe('the shipped DB-IP City Lite database', () => {
  let geo: GeoDatabase;
  before(async () => {
    geo = await openGeoDatabase();
  });

  void it('names itself with its build date', () => {
    assert.match(geo.label, /^DB-IP City Lite \d{4}-\d{2}-\d{2}$/);
  });

  const known: [string, string][] = [
    ['8.8.8.8', 'US'],
    ['1.1.1.1', 'AU'],
    ['81.2.69.142', 'GB'],
    ['::ffff:8.8.8.8', 'US'],
  ];
  for (const [ip, code] of known) {
    void it(`places ${ip} in ${code}`, () => {
      const place = geo.lookup(ip);
      assert.equal(place?.countryCode, code);
      assert.ok(place?.country && place.country.length > 2);
    });
  }

  void it('places a public IPv6 address from the IPv6 file', () => {
    assert.match(geo.lookup('2001:4860:4860::8888')?.countryCode ?? '', /^[A-Z]{2}$/);
  });

  void it('gives private and reserved addresses no location, through enrich', () => {
    for (const ip of [
      '10.0.0.1',
      '192.168.1.1',
      '172.16.5.4',
      '127.0.0.1',
      '100.64.0.1',
      '::1',
      'fe80::1',
      'fd12::1',
    ]) {
      const hit = parseLine(`${ip} - - [12/Mar/2024:08:15:02 +0100] "GET / HTTP/1.1" 200 5`, 'common');
      assert.ok(hit.ok);
      const e = enrich(hit.hit, { geo: geo.lookup, geoDb: geo.label });
      assert.deepEqual([e.country, e.countryCode, e.city, e.geoDb], [null, null, null, null], ip);
    }
  });

  void it('answers null, never throws, for text that is not an address', () => {
    for (const text of ['www.example.com', '', '1.2.3', 'zz::zz::'])
      assert.equal(geo.lookup(text), null, text);
  });
});

void describe('GEOIP_DB', () => {
  void it('refuses a file that is not an MMDB database, naming the variable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lograbbit-geo-'));
    const file = join(dir, 'bad.mmdb');
    await writeFile(file, 'not a database');
    await assert.rejects(openGeoDatabase(file), /GEOIP_DB: cannot open .*bad\.mmdb/);
    await assert.rejects(openGeoDatabase(join(dir, 'missing.mmdb')), /GEOIP_DB: cannot open/);
  });
});

void describe('the answer cache per address', () => {
  void it('asks the reader once per address, null answers too, and stays bounded', () => {
    const asked: string[] = [];
    const lookup = cachedByAddress((ip) => {
      asked.push(ip);
      return ip.startsWith('10.') ? null : { country: 'France', countryCode: 'FR', city: null };
    });
    assert.equal(lookup('10.0.0.1'), null);
    assert.deepEqual(lookup('8.8.8.8'), { country: 'France', countryCode: 'FR', city: null });
    assert.equal(lookup('10.0.0.1'), null);
    assert.deepEqual(lookup('8.8.8.8'), { country: 'France', countryCode: 'FR', city: null });
    assert.deepEqual(asked, ['10.0.0.1', '8.8.8.8']);
    for (let n = 0; n < 20_000; n++) lookup(`192.0.${n >> 8}.${n & 255}`);
    lookup('8.8.8.8');
    assert.equal(asked.filter((ip) => ip === '8.8.8.8').length, 2, 'a full cache starts over');
  });
});
