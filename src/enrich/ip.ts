/**
 * Whether a client address is a public unicast address, the only kind a geo database can place.
 * Private, loopback, link-local, CGNAT, documentation (used by our own test lines), benchmarking,
 * multicast, reserved and unspecified ranges are not public; so is anything that is not an address.
 * IPv6 addresses that embed an IPv4 one (`::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`)
 * are judged by that IPv4 address.
 */

// [base, prefix length] of every IPv4 range that is not public (IANA special-purpose registry).
const IPV4_NOT_PUBLIC: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

/** The IPv4 address as an unsigned 32-bit number, or -1 when `s[start, end)` is not a dotted quad. */
export function parseIpv4(s: string, start = 0, end = s.length): number {
  let value = 0;
  let parts = 0;
  let i = start;
  while (parts < 4) {
    const partStart = i;
    let part = 0;
    while (i < end && i - partStart < 3) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      part = part * 10 + d;
      i++;
    }
    // Leading zeros are refused: `010` is octal to some resolvers and decimal to others.
    if (i === partStart || part > 255 || (i - partStart > 1 && s.charCodeAt(partStart) === 48)) return -1;
    value = value * 256 + part;
    parts++;
    if (parts < 4) {
      if (s.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  return i === end ? value : -1;
}

const IPV4_RANGES = IPV4_NOT_PUBLIC.map(([base, bits]) => {
  const size = 2 ** (32 - bits);
  const low = parseIpv4(base);
  return [low, low + size] as const;
});

function isPublicIpv4(addr: number): boolean {
  for (const [low, high] of IPV4_RANGES) if (addr >= low && addr < high) return false;
  return true;
}

function hexGroup(s: string, start: number, end: number): number {
  if (end <= start || end - start > 4) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) | 32;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// Groups of `s[start, end)` separated by `:`, the last possibly a dotted IPv4; null when malformed.
function groupsOf(s: string, start: number, end: number, out: number[]): boolean {
  if (start === end) return true;
  let i = start;
  while (i <= end) {
    let sep = s.indexOf(':', i);
    if (sep === -1 || sep > end) sep = end;
    const g = hexGroup(s, i, sep);
    if (g === -1) {
      if (sep !== end) return false;
      const v4 = parseIpv4(s, i, end);
      if (v4 === -1) return false;
      out.push(Math.floor(v4 / 65536), v4 % 65536);
      return true;
    }
    out.push(g);
    i = sep + 1;
  }
  return true;
}

/** The eight 16-bit groups of an IPv6 address (a `%zone` is ignored), or null. */
export function parseIpv6(s: string): number[] | null {
  const zone = s.indexOf('%');
  const end = zone === -1 ? s.length : zone;
  const gap = s.indexOf('::');
  const head: number[] = [];
  if (gap === -1 || gap >= end) {
    if (!groupsOf(s, 0, end, head) || head.length !== 8) return null;
    return head;
  }
  const tail: number[] = [];
  if (s.indexOf('::', gap + 1) !== -1 && s.indexOf('::', gap + 1) < end) return null;
  if (!groupsOf(s, 0, gap, head) || !groupsOf(s, gap + 2, end, tail)) return null;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

function isPublicIpv6(g: readonly number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const v4At = (hi: number, lo: number): boolean => isPublicIpv4(hi * 65536 + lo);
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return v4At(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return v4At(g6, g7);
  if (g0 === 0x2002) return v4At(g1, g2);
  // Only 2000::/3 is allocated as global unicast; inside it, carve out the special ranges.
  if ((g0 & 0xe000) !== 0x2000) return false;
  if (g0 === 0x2001 && g1 < 0x0200) return false; // 2001::/23 IETF protocol assignments (Teredo, ORCHID…)
  if (g0 === 0x2001 && g1 === 0x0db8) return false; // 2001:db8::/32 documentation
  if (g0 === 0x3fff && g1 < 0x1000) return false; // 3fff::/20 documentation (RFC 9637)
  return true;
}

/** True when `ip` is a public unicast IPv4 or IPv6 address; false for anything else. */
export function isPublicAddress(ip: string): boolean {
  if (ip.indexOf(':') === -1) {
    const v4 = parseIpv4(ip);
    return v4 !== -1 && isPublicIpv4(v4);
  }
  const groups = parseIpv6(ip);
  return groups !== null && isPublicIpv6(groups);
}
