/**
 * `enrich`: a parsed hit plus the derived columns of the clean table (URL parts, referrer host,
 * status text, e-mail facts, location, user agent; the calendar fields and sizes are the database's
 * own virtual columns). Pure: the only outside input is the options, which hand in the geo and
 * user-agent lookups (each optional: leave one out to turn that enrichment off).
 */
import type { EnrichedHit, ParsedHit } from '../domain/index.js';
import { NO_LOCATION, type GeoLookup } from './geo.js';
import { isPublicAddress } from './ip.js';
import { statusText } from './status.js';
import { referrerHost, splitTarget } from './url.js';
import type { UserAgentInfo, UserAgentLookup } from './user-agent.js';
import { emailDomain } from './user.js';

/** What the caller may add to enrichment; every field is optional. */
export interface EnrichOptions {
  /** Host (`host` or `host:port`) of path-only targets when the hit carries no vhost. */
  readonly defaultHost?: string;
  /** Scheme (`http`/`https`) assumed for path-only targets; it gives them a default port. */
  readonly defaultScheme?: string;
  /** Geo lookup of the client address (opened by an adapter); without it the location is null. */
  readonly geo?: GeoLookup;
  /** Name and date of the geo database behind `geo`, stored with each address it looked up. */
  readonly geoDb?: string;
  /** User-agent lookup (`createUserAgentLookup()`); without it the browser, OS, device and bot flag are null. */
  readonly userAgent?: UserAgentLookup;
}

const NO_USER_AGENT: UserAgentInfo = Object.freeze({
  browser: null,
  browserVersion: null,
  os: null,
  device: null,
  isBot: false,
});

const NO_OPTIONS: EnrichOptions = Object.freeze({});

/** Adds the derived fields to `hit`. Never throws (unless `options.geo` does). */
export function enrich(hit: ParsedHit, options: EnrichOptions = NO_OPTIONS): EnrichedHit {
  const url = splitTarget(
    hit.target,
    hit.vhost ?? options.defaultHost ?? null,
    options.defaultScheme ?? null,
  );
  const domain = emailDomain(hit.user);
  const { geo, userAgent } = options;
  const lookedUp = hit.ip !== null && geo !== undefined && isPublicAddress(hit.ip);
  const place = lookedUp ? (geo(hit.ip) ?? NO_LOCATION) : NO_LOCATION;
  const agent = userAgent !== undefined && hit.userAgent !== null ? userAgent(hit.userAgent) : NO_USER_AGENT;
  const agentKnown = agent !== NO_USER_AGENT;
  return {
    format: hit.format,
    ip: hit.ip,
    forwardedFor: hit.forwardedFor,
    session: hit.session,
    user: hit.user,
    time: hit.time,
    method: hit.method,
    target: hit.target,
    httpVersion: hit.httpVersion,
    status: hit.status,
    bytes: hit.bytes,
    referrer: hit.referrer,
    userAgent: hit.userAgent,
    vhost: hit.vhost,
    requestTimeMs: hit.requestTimeMs,
    extra: hit.extra,
    damage: hit.damage,
    ts: new Date(hit.time.epochMs),
    scheme: url.scheme,
    host: url.host,
    port: url.port,
    path: url.path,
    query: url.query,
    statusText: statusText(hit.status),
    isEmail: domain !== null,
    emailDomain: domain,
    country: place.country,
    countryCode: place.countryCode,
    city: place.city,
    geoDb: lookedUp ? (options.geoDb ?? null) : null,
    referrerHost: referrerHost(hit.referrer),
    browser: agent.browser,
    browserVersion: agent.browserVersion,
    os: agent.os,
    device: agent.device,
    isBot: agentKnown ? agent.isBot : null,
  };
}
