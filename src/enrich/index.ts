/**
 * Enrichment: pure functions that derive the clean table's columns from a parsed hit, composed by
 * `enrich`. The geo database is handed in as a lookup function, never opened here; the user-agent
 * lookup is made here (`createUserAgentLookup`) and handed in the same way.
 */
export { enrich, type EnrichOptions } from './enrich.js';
export { splitTarget, defaultPort, referrerHost, type UrlParts } from './url.js';
export { statusText } from './status.js';
export { isEmail, emailDomain } from './user.js';
export { locate, NO_LOCATION, type GeoLookup } from './geo.js';
export { isPublicAddress, parseIpv4, parseIpv6 } from './ip.js';
export {
  createUserAgentLookup,
  parseUserAgent,
  DEFAULT_UA_CACHE_ENTRIES,
  type UserAgentInfo,
  type UserAgentLookup,
} from './user-agent.js';
