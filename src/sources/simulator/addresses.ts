/**
 * Client addresses: public IPv4 from blocks of every regional registry, some IPv6, a few private
 * addresses (staff behind the proxy), and the published ranges of well-known crawlers.
 * The documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24) and other special blocks are
 * never produced: a demo should geo-locate its visitors.
 */
import { Weighted, type Random } from './random.js';

/** `[weight, first octet, lowest second octet, highest second octet]`. */
type Ipv4Block = readonly [number, number, number, number];

const IPV4_BLOCKS = new Weighted<Ipv4Block>(
  (
    [
      // ARIN: North America
      [8, 73, 0, 255],
      [5, 24, 0, 255],
      [4, 98, 0, 255],
      [4, 99, 0, 255],
      [3, 71, 0, 255],
      [2, 142, 112, 127],
      [2, 174, 0, 127],
      // RIPE NCC: Europe, Middle East, Russia
      [4, 86, 128, 191],
      [4, 90, 0, 127],
      [3, 79, 192, 255],
      [3, 93, 192, 255],
      [2, 2, 0, 15],
      [2, 151, 0, 99],
      [2, 83, 32, 63],
      [2, 77, 160, 175],
      [2, 95, 24, 31],
      [1, 176, 0, 127],
      [1, 188, 0, 127],
      // APNIC: Asia and Oceania
      [4, 126, 0, 255],
      [4, 49, 32, 63],
      [3, 117, 192, 255],
      [3, 121, 128, 191],
      [2, 223, 64, 127],
      [2, 110, 0, 127],
      [2, 101, 160, 191],
      [2, 113, 160, 191],
      [1, 36, 64, 127],
      // LACNIC: Latin America
      [3, 177, 0, 255],
      [2, 189, 0, 255],
      [2, 181, 0, 255],
      [1, 186, 0, 255],
      // AFRINIC: Africa
      [2, 41, 0, 255],
      [1, 105, 0, 255],
      [1, 197, 128, 255],
    ] as const
  ).map((block) => [block[0], block] as const),
);

/** Home and mobile networks' IPv6 prefixes (first two groups). */
const IPV6_PREFIXES = [
  '2a01:cb00', // Europe
  '2a01:e0a',
  '2a02:8108',
  '2a00:23c4',
  '2601:18c', // North America
  '2600:1700',
  '2607:fb90',
  '2409:4040', // Asia
  '2400:2410',
  '2001:b011',
  '2804:14c', // Latin America
  '2c0f:f8f0', // Africa
];

/** Cloud networks, where scripts and scanners come from. */
const CLOUD_PREFIXES = ['34.', '35.', '52.', '3.', '18.', '13.', '20.', '45.148.', '167.94.', '185.220.'];

function octet(rng: Random): number {
  return rng.between(1, 254);
}

function group(rng: Random): string {
  return rng.below(0x10000).toString(16);
}

/** A public IPv4 address from a residential or mobile block somewhere in the world. */
export function publicIpv4(rng: Random): string {
  const [, first, low, high] = IPV4_BLOCKS.draw(rng);
  return `${first}.${rng.between(low, high)}.${rng.below(256)}.${octet(rng)}`;
}

/** A residential IPv6 address, sometimes written with `::` as devices with a short suffix are. */
export function publicIpv6(rng: Random): string {
  const prefix = rng.pick(IPV6_PREFIXES);
  if (rng.chance(0.25)) return `${prefix}:${group(rng)}:${group(rng)}::${group(rng)}`;
  return `${prefix}:${group(rng)}:${group(rng)}:${group(rng)}:${group(rng)}:${group(rng)}:${group(rng)}`;
}

/** A private address: staff or an internal service talking to the proxy directly. */
export function privateIpv4(rng: Random): string {
  const r = rng.below(3);
  if (r === 0) return `10.${rng.below(256)}.${rng.below(256)}.${octet(rng)}`;
  if (r === 1) return `192.168.${rng.below(256)}.${octet(rng)}`;
  return `172.${rng.between(16, 31)}.${rng.below(256)}.${octet(rng)}`;
}

/** An address in a cloud provider's network. */
export function cloudIpv4(rng: Random): string {
  return addressIn(rng.pick(CLOUD_PREFIXES), rng);
}

/** The address of a human visitor: mostly public IPv4, some IPv6, a few private. */
export function visitorAddress(rng: Random): string {
  const r = rng.float();
  if (r < 0.82) return publicIpv4(rng);
  if (r < 0.96) return publicIpv6(rng);
  return privateIpv4(rng);
}

/** An address in `prefix` (one to three octets followed by a dot). */
export function addressIn(prefix: string, rng: Random): string {
  let address = prefix;
  for (let dots = prefix.split('.').length - 1; dots < 4; dots++) {
    address += dots === 3 ? String(octet(rng)) : `${rng.below(256)}.`;
  }
  return address;
}
