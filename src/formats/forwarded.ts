/**
 * X-Forwarded-For chains: `client, proxy1, proxy2`. The first address is the client the request came
 * from (as far as the proxies can tell); the whole chain is kept as written. Entries may carry a port
 * (`203.0.113.9:51234`, `[2001:db8::1]:443`, as Azure and some balancers write them); it is dropped.
 * A cheap shape check only (hex digits, dots, colons): formats do not validate addresses, enrich does.
 */

/** The parsed chain: the client address and the chain as written; both null for `-` or an empty chain. */
export interface ForwardedFor {
  readonly client: string | null;
  readonly chain: string | null;
}

const NONE: ForwardedFor = Object.freeze({ client: null, chain: null });

function isAddressChar(c: number): boolean {
  return (c >= 48 && c <= 58) || c === 46 || ((c | 32) >= 97 && (c | 32) <= 102);
}

/** The address of one chain entry with its port and brackets removed, or null when it is not one. */
export function addressOf(entry: string): string | null {
  let s = entry.trim();
  if (s.length === 0 || s.length > 60) return null;
  if (s.charCodeAt(0) === 91) {
    const close = s.indexOf(']');
    if (close === -1) return null;
    s = s.slice(1, close);
  } else {
    const colon = s.indexOf(':');
    // One colon is an IPv4 address with a port; more are an IPv6 address.
    if (colon !== -1 && colon === s.lastIndexOf(':') && s.indexOf('.') !== -1) s = s.slice(0, colon);
  }
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isAddressChar(c)) return null;
    if (c >= 48 && c <= 57) digits++;
  }
  const v6 = s.indexOf(':') !== -1;
  return (v6 && s.length >= 2) || (!v6 && digits > 0 && s.split('.').length === 4) ? s : null;
}

/** True when `text` is a comma-separated list of addresses (what an X-Forwarded-For header holds). */
export function isAddressList(text: string): boolean {
  if (text.length === 0) return false;
  for (const entry of text.split(',')) if (addressOf(entry) === null) return false;
  return true;
}

/** Reads an X-Forwarded-For value; `-`, empty or `unknown` entries give no client. */
export function parseForwardedFor(value: string | null): ForwardedFor {
  if (value === null) return NONE;
  const chain = value.trim();
  if (chain === '' || chain === '-') return NONE;
  const comma = chain.indexOf(',');
  return { client: addressOf(comma === -1 ? chain : chain.slice(0, comma)), chain };
}
