/**
 * A request target split into scheme, host, port, path and query, by hand (no `new URL()`: it
 * normalises the path, throws on garbage and costs a few microseconds a line).
 *
 * - Absolute URLs (`https://h:8443/p?q`): every part; a missing port is the scheme's default.
 * - Paths (`/p?q`): host and port come from the fallback host (the hit's vhost or a configured
 *   default, `host` or `host:port`); the port is the explicit one, else the default scheme's, else null.
 * - Authority form (`CONNECT host:443`): host and port only.
 * - Anything else (`*`, TLS probes, `http://[::1`): all null.
 * The path stays percent-encoded as written; the fragment, if a client sent one, is dropped; an empty
 * query (`/p?`) is null. Hosts are lower-cased (they are case-insensitive), IPv6 literals keep `[]`.
 */

/** The parts of a request target; null where the target does not say (or is not a URL). */
export interface UrlParts {
  readonly scheme: string | null;
  readonly host: string | null;
  readonly port: number | null;
  readonly path: string | null;
  readonly query: string | null;
}

const NONE: UrlParts = Object.freeze({ scheme: null, host: null, port: null, path: null, query: null });
const DEFAULT_PORTS: ReadonlyMap<string, number> = new Map([
  ['http', 80],
  ['https', 443],
  ['ws', 80],
  ['wss', 443],
  ['ftp', 21],
]);
const MAX_PORT = 65535;

/** The default port of `scheme` (`https` → 443), or null. */
export function defaultPort(scheme: string | null): number | null {
  return scheme === null ? null : (DEFAULT_PORTS.get(scheme) ?? null);
}

function isSchemeChar(c: number, first: boolean): boolean {
  const alpha = (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
  return first ? alpha : alpha || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}

// The index of `://` ending a scheme at the start of `s`, or -1.
function schemeEnd(s: string): number {
  let i = 0;
  while (i < s.length && isSchemeChar(s.charCodeAt(i), i === 0)) i++;
  return i > 0 && s.startsWith('://', i) ? i : -1;
}

function isHostChar(c: number): boolean {
  // Everything but controls, space and the characters RFC 3986 forbids in a reg-name.
  return c > 32 && c !== 127 && '"<>\\^`{|}[]/?#@'.indexOf(String.fromCharCode(c)) === -1;
}

interface Authority {
  readonly host: string;
  /** The explicit port; null when the authority has none. */
  readonly port: number | null;
}

/** Reads `host`, `host:port`, `[v6]` or `[v6]:port` from `s[start, end)`, or null when malformed. */
function parseAuthority(s: string, start: number, end: number): Authority | null {
  let hostEnd: number;
  let next: number;
  if (s.charCodeAt(start) === 91) {
    const close = s.indexOf(']', start);
    if (close === -1 || close >= end || close === start + 1) return null;
    for (let i = start + 1; i < close; i++) {
      const c = s.charCodeAt(i) | 32;
      if (!((c >= 48 && c <= 58) || (c >= 97 && c <= 102) || c === 46)) return null;
    }
    hostEnd = close + 1;
    next = hostEnd;
  } else {
    const colon = s.indexOf(':', start);
    hostEnd = colon === -1 || colon >= end ? end : colon;
    next = hostEnd;
    if (hostEnd === start) return null;
    for (let i = start; i < hostEnd; i++) if (!isHostChar(s.charCodeAt(i))) return null;
  }
  let port: number | null = null;
  if (next < end) {
    if (s.charCodeAt(next) !== 58) return null;
    if (next + 1 < end) {
      if (end - next - 1 > 5) return null;
      port = 0;
      for (let i = next + 1; i < end; i++) {
        const d = s.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return null;
        port = port * 10 + d;
      }
      if (port > MAX_PORT) return null;
    }
  }
  return { host: s.slice(start, hostEnd).toLowerCase(), port };
}

function pathAndQuery(s: string, start: number): { path: string; query: string | null } {
  const hash = s.indexOf('#', start);
  const end = hash === -1 ? s.length : hash;
  const mark = s.indexOf('?', start);
  if (mark === -1 || mark >= end) return { path: start === end ? '/' : s.slice(start, end), query: null };
  return {
    path: start === mark ? '/' : s.slice(start, mark),
    query: mark + 1 < end ? s.slice(mark + 1, end) : null,
  };
}

/**
 * Splits `target`. `fallbackHost` (`host` or `host:port`) names the host of a path-only target;
 * `fallbackScheme` gives such a target its scheme and, through it, a default port. Never throws.
 */
export function splitTarget(
  target: string | null,
  fallbackHost: string | null = null,
  fallbackScheme: string | null = null,
): UrlParts {
  if (target === null || target.length === 0) return NONE;
  if (target.charCodeAt(0) === 47) {
    const { path, query } = pathAndQuery(target, 0);
    const authority = fallbackHost === null ? null : parseAuthority(fallbackHost, 0, fallbackHost.length);
    const scheme = fallbackScheme === null ? null : fallbackScheme.toLowerCase();
    return {
      scheme,
      host: authority === null ? null : authority.host,
      port: authority === null ? null : (authority.port ?? defaultPort(scheme)),
      path,
      query,
    };
  }
  const se = schemeEnd(target);
  if (se === -1) {
    const authority = parseAuthority(target, 0, target.length);
    if (authority === null || authority.port === null) return NONE;
    return { scheme: null, host: authority.host, port: authority.port, path: null, query: null };
  }
  const scheme = target.slice(0, se).toLowerCase();
  const authStart = se + 3;
  let authEnd = authStart;
  while (authEnd < target.length) {
    const c = target.charCodeAt(authEnd);
    if (c === 47 || c === 63 || c === 35) break;
    authEnd++;
  }
  // Credentials in the URL (`user:pass@host`) are not part of the host and are not kept.
  const at = target.lastIndexOf('@', authEnd - 1);
  const hostStart = at >= authStart ? at + 1 : authStart;
  const authority = parseAuthority(target, hostStart, authEnd);
  if (authority === null) return NONE;
  const { path, query } = pathAndQuery(target, authEnd);
  return { scheme, host: authority.host, port: authority.port ?? defaultPort(scheme), path, query };
}

/** The lower-cased host of an absolute referrer URL (`https://www.Google.com/x` → `www.google.com`), or null. */
export function referrerHost(referrer: string | null): string | null {
  if (referrer === null) return null;
  const parts = splitTarget(referrer);
  return parts.scheme === null ? null : parts.host;
}
