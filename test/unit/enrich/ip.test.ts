import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isPublicAddress, parseIpv4, parseIpv6 } from '../../../src/enrich/index.js';

void describe('isPublicAddress', () => {
  const table: [string, boolean][] = [
    ['8.8.8.8', true],
    ['1.1.1.1', true],
    ['100.63.255.255', true],
    ['100.128.0.0', true],
    ['172.32.0.1', true],
    ['2606:4700:4700::1111', true],
    ['2a00:1450:4007:80f::200e', true],
    ['::ffff:8.8.8.8', true],
    ['64:ff9b::808:808', true],
    ['2002:808:808::1', true],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['172.31.255.255', false],
    ['192.168.1.1', false],
    ['127.0.0.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['192.0.2.1', false],
    ['198.51.100.23', false],
    ['203.0.113.7', false],
    ['198.18.0.1', false],
    ['224.0.0.1', false],
    ['239.255.255.250', false],
    ['240.0.0.1', false],
    ['255.255.255.255', false],
    ['::', false],
    ['::1', false],
    ['fe80::1%eth0', false],
    ['fc00::1', false],
    ['fd12:3456:789a::1', false],
    ['ff02::1', false],
    ['2001:db8::1', false],
    ['2001:db8:85a3::8a2e:370:7334', false],
    ['2001::1', false],
    ['3fff::1', false],
    ['::ffff:10.0.0.1', false],
    ['::ffff:192.0.2.128', false],
    ['2002:c000:0201::1', false],
    ['localhost', false],
    ['-', false],
    ['', false],
    ['1.2.3', false],
    ['1.2.3.4.5', false],
    ['256.1.1.1', false],
    ['08.8.8.8', false],
    ['2606:4700::1111::1', false],
    ['2606:4700:4700:0:0:0:0:1111:1', false],
    ['2606:4700:4700:0:0:0:1111', false],
    ['gggg::1', false],
  ];
  for (const [ip, expected] of table) {
    void it(`${JSON.stringify(ip)} → ${expected}`, () => assert.equal(isPublicAddress(ip), expected));
  }

  void it('parses addresses into numbers and groups', () => {
    assert.equal(parseIpv4('192.0.2.1'), 0xc0000201);
    assert.deepEqual(parseIpv6('2001:db8::ffff:1.2.3.4'), [0x2001, 0xdb8, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    assert.deepEqual(parseIpv6('::'), [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(parseIpv6('1:2:3:4:5:6:7::8'), null);
  });

  void it('reads every generated IPv6 address to the same groups as its full form', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const groups = parseIpv6(ip);
        assert.ok(groups !== null && groups.length === 8, ip);
        const full = groups.map((g) => g.toString(16)).join(':');
        assert.deepEqual(parseIpv6(full), groups);
      }),
    );
    fc.assert(fc.property(fc.ipV4(), (ip) => assert.notEqual(parseIpv4(ip), -1)));
    fc.assert(fc.property(fc.string(), (s) => assert.equal(typeof isPublicAddress(s), 'boolean')));
  });
});
