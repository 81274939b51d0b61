/**
 * Enrichment: pure functions that derive the clean table's columns from a parsed hit, composed by
 * `enrich`. The geo database is handed in as a lookup function, never opened here.
 */
export { enrich, type EnrichOptions } from './enrich.js';
export { timeParts, type TimeParts } from './time.js';
export { splitTarget, defaultPort, type UrlParts } from './url.js';
export { statusText } from './status.js';
export { isEmail, emailDomain } from './user.js';
export { sizeKb, sizeMb } from './size.js';
export { locate, NO_LOCATION, type GeoLookup } from './geo.js';
export { isPublicAddress, parseIpv4, parseIpv6 } from './ip.js';
