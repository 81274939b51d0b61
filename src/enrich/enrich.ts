/**
 * `enrich`: a parsed hit plus the derived columns of the clean table (calendar fields in UTC, URL
 * parts, status text, sizes, e-mail facts, location). Pure: the only outside input is the options.
 */
import type { EnrichedHit, ParsedHit } from '../domain/index.js';
import { locate, type GeoLookup } from './geo.js';
import { sizeKb, sizeMb } from './size.js';
import { statusText } from './status.js';
import { timeParts } from './time.js';
import { splitTarget } from './url.js';
import { emailDomain } from './user.js';

/** What the caller may add to enrichment; every field is optional. */
export interface EnrichOptions {
  /** Host (`host` or `host:port`) of path-only targets when the hit carries no vhost. */
  readonly defaultHost?: string;
  /** Scheme (`http`/`https`) assumed for path-only targets; it gives them a default port. */
  readonly defaultScheme?: string;
  /** Geo lookup of the client address (opened by an adapter); without it the location is null. */
  readonly geo?: GeoLookup;
}

const NO_OPTIONS: EnrichOptions = Object.freeze({});

/** Adds the derived fields to `hit`. Never throws (unless `options.geo` does). */
export function enrich(hit: ParsedHit, options: EnrichOptions = NO_OPTIONS): EnrichedHit {
  const time = timeParts(hit.time.epochMs);
  const url = splitTarget(
    hit.target,
    hit.vhost ?? options.defaultHost ?? null,
    options.defaultScheme ?? null,
  );
  const domain = emailDomain(hit.user);
  const place = locate(hit.ip, options.geo);
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
    ts: time.ts,
    year: time.year,
    month: time.month,
    day: time.day,
    dayOfWeek: time.dayOfWeek,
    timeOfDay: time.timeOfDay,
    scheme: url.scheme,
    host: url.host,
    port: url.port,
    path: url.path,
    query: url.query,
    statusText: statusText(hit.status),
    sizeKb: sizeKb(hit.bytes),
    sizeMb: sizeMb(hit.bytes),
    isEmail: domain !== null,
    emailDomain: domain,
    country: place.country,
    countryCode: place.countryCode,
    city: place.city,
  };
}
