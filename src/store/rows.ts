/**
 * Domain values → table rows. Text is clipped to its column's length here, so that an absurdly long
 * field of a real line (a 10 kB user name) is stored cut rather than refused.
 */
import type { EnrichedHit } from '../domain/index.js';
import type { CleanRow, RawRow, RejectedRow } from './schema.js';

/** Clips to `max` UTF-16 code units without splitting a surrogate pair. */
function clip(value: string | null, max: number): string | null {
  if (value === null || value.length <= max) return value;
  const end = /[\uD800-\uDBFF]/.test(value.charAt(max - 1)) ? max - 1 : max;
  return value.slice(0, end);
}

/** TEXT columns hold 65,535 bytes; a UTF-8 character takes up to 4 (or 3 for a UTF-16 unit). */
const TEXT_CHARS = 16_383;

export function rawRowOf(
  eventId: Buffer,
  source: string,
  receivedAt: Date,
  line: Buffer,
  truncated: boolean,
  ts: Date | null,
): RawRow {
  return { eventId, source, receivedAt, ts, line, truncated };
}

export function rejectedRowOf(
  eventId: Buffer,
  source: string,
  receivedAt: Date,
  line: Buffer,
  reason: string,
): RejectedRow {
  return { eventId, source, receivedAt, line, reason: clip(reason, 512) ?? '' };
}

export function cleanRowOf(eventId: Buffer, source: string, hit: EnrichedHit): CleanRow {
  return {
    eventId,
    source,
    format: hit.format,
    ts: hit.ts,
    utcOffsetMin: hit.time.offsetMinutes,
    ip: clip(hit.ip, 45),
    forwardedFor: clip(hit.forwardedFor, 1024),
    country: clip(hit.country, 80),
    countryCode: clip(hit.countryCode, 2),
    city: clip(hit.city, 128),
    session: clip(hit.session, 128),
    user: clip(hit.user, 255),
    isEmail: hit.isEmail,
    emailDomain: clip(hit.emailDomain, 255),
    method: clip(hit.method, 32),
    url: clip(hit.target, TEXT_CHARS),
    scheme: clip(hit.scheme, 16),
    host: clip(hit.host, 255),
    port: hit.port !== null && hit.port >= 0 && hit.port <= 65535 ? hit.port : null,
    path: clip(hit.path, TEXT_CHARS),
    query: clip(hit.query, TEXT_CHARS),
    httpVersion: clip(hit.httpVersion, 16),
    status: hit.status,
    statusText: clip(hit.statusText, 64),
    bytes: hit.bytes,
    referrer: clip(hit.referrer, TEXT_CHARS),
    referrerHost: clip(hit.referrerHost, 255),
    userAgent: clip(hit.userAgent, TEXT_CHARS),
    browser: clip(hit.browser, 64),
    browserVersion: clip(hit.browserVersion, 32),
    os: clip(hit.os, 64),
    device: clip(hit.device, 16),
    isBot: hit.isBot,
    geoDb: clip(hit.geoDb, 64),
    requestTimeMs: hit.requestTimeMs,
    extra: hit.extra === null ? null : { ...hit.extra },
  };
}
