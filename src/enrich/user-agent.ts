/**
 * What a user agent says: browser and version, operating system, device type (ua-parser-js 1.x, MIT),
 * and whether it is a bot (isbot). Parsing a user agent costs tens of microseconds and a site sees
 * few distinct ones, so results are kept in a bounded cache owned by the lookup function.
 * Pure from the caller's point of view: the same user agent always gives the same answer.
 */
import { isbot } from 'isbot';
import UAParser from 'ua-parser-js';
import { detachedText } from '../domain/index.js';

/** The user-agent fields of the clean table. */
export interface UserAgentInfo {
  readonly browser: string | null;
  readonly browserVersion: string | null;
  readonly os: string | null;
  readonly device: string | null;
  readonly isBot: boolean;
}

/** Reads a user agent. Handed to `enrich` (or left out to skip user-agent enrichment). */
export type UserAgentLookup = (userAgent: string) => UserAgentInfo;

/** Entries the default cache holds: far more distinct user agents than a busy site sees in an hour. */
export const DEFAULT_UA_CACHE_ENTRIES = 10_000;
// Longer user agents (garbage, attacks) are parsed but not cached, so the cache stays small.
const MAX_CACHED_LENGTH = 512;

// Desktop systems: ua-parser-js gives desktops no device type.
const DESKTOP_OS =
  /^(windows|mac os|macos|linux|ubuntu|debian|fedora|chrom(e|ium) os|freebsd|openbsd|netbsd|solaris|unix)/i;

/** Parses one user agent, without a cache. */
export function parseUserAgent(userAgent: string): UserAgentInfo {
  const result = new UAParser(userAgent).getResult();
  const bot = isbot(userAgent);
  const browser = result.browser.name ?? null;
  const osName = result.os.name ?? null;
  const os = osName === null ? null : result.os.version ? `${osName} ${result.os.version}` : osName;
  let device: string | null = result.device.type ?? null;
  if (bot) device = 'bot';
  else if (device === null && osName !== null && (osName === 'Android' || osName === 'iOS'))
    device = 'mobile';
  else if (
    device === null &&
    ((osName !== null && DESKTOP_OS.test(osName)) || (browser !== null && osName === null))
  ) {
    device = 'desktop';
  }
  return { browser, browserVersion: result.browser.version ?? null, os, device, isBot: bot };
}

/**
 * A user-agent lookup with a cache of at most `maxEntries` results, least recently used out first,
 * kept as two generations (as quick-lru does): a hit in the current one is a single `Map.get`, where
 * moving the entry to the end of one Map, at every line, was 8% of parsing and enriching it. When
 * the current generation is full it becomes the old one and the old one is dropped; a hit in the old
 * one moves the entry back into the current one.
 */
export function createUserAgentLookup(maxEntries = DEFAULT_UA_CACHE_ENTRIES): UserAgentLookup {
  const generationSize = Math.max(1, Math.floor(maxEntries / 2));
  let current = new Map<string, UserAgentInfo>();
  let old = new Map<string, UserAgentInfo>();
  const remember = (userAgent: string, info: UserAgentInfo): void => {
    if (current.size >= generationSize) {
      old = current;
      current = new Map();
    }
    current.set(userAgent, info);
  };
  return (userAgent) => {
    const cached = current.get(userAgent);
    if (cached !== undefined) return cached;
    const older = old.get(userAgent);
    if (older !== undefined) {
      old.delete(userAgent);
      remember(userAgent, older);
      return older;
    }
    const info = Object.freeze(parseUserAgent(userAgent));
    // The key outlives its line: a slice of the line would keep the whole line alive.
    if (userAgent.length <= MAX_CACHED_LENGTH && maxEntries > 0) remember(detachedText(userAgent), info);
    return info;
  };
}
