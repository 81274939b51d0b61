/**
 * Domain values → table rows that their columns can hold (see column-fit.ts): a text too long for
 * its column is stored cut, a number or date out of range is dropped and named in `damage`, and a
 * row that cannot be stored at all (a required value out of range) comes back as a reason, so that
 * its line is rejected rather than its whole message refused.
 */
import type { EnrichedHit } from '../domain/index.js';
import { PoisonMessageError } from '../errors.js';
import { clip, rowFitterOf } from './column-fit.js';
import type { FitResult } from './column-fit.js';
import { cleanLog, rawLog } from './schema.js';
import type { CleanRow, RawRow, RejectedRow } from './schema.js';

const fitRaw = rowFitterOf<RawRow>(rawLog);
const fitClean = rowFitterOf<CleanRow>(cleanLog);

/**
 * A raw row. Its only value read from the line is `ts`, which is nullable: one out of range is
 * dropped. `receivedAt` comes from the message's frame, which the codec checked: a row that still
 * cannot fit is the message's fault, and refuses the message alone.
 */
export function rawRowOf(
  eventId: Buffer,
  source: string,
  receivedAt: Date,
  line: Buffer,
  truncated: boolean,
  ts: Date | null,
): RawRow {
  const fitted = fitRaw({ eventId, source, receivedAt, ts, line, truncated });
  if (!fitted.ok) throw new PoisonMessageError('LR_MESSAGE_UNPROCESSABLE', `raw_log: ${fitted.reason}`);
  return fitted.row;
}

export function rejectedRowOf(
  eventId: Buffer,
  source: string,
  receivedAt: Date,
  line: Buffer,
  reason: string,
): RejectedRow {
  return { eventId, source, receivedAt, line, reason: clip(reason, 512) };
}

/** The clean row of an enriched line, made to fit; or why it cannot be stored. */
export function cleanRowOf(eventId: Buffer, source: string, hit: EnrichedHit): FitResult<CleanRow> {
  const fitted = fitClean({
    eventId,
    source,
    format: hit.format,
    ts: hit.ts,
    utcOffsetMin: hit.time.offsetMinutes,
    ip: hit.ip,
    forwardedFor: hit.forwardedFor,
    country: hit.country,
    countryCode: hit.countryCode,
    city: hit.city,
    session: hit.session,
    user: hit.user,
    isEmail: hit.isEmail,
    emailDomain: hit.emailDomain,
    method: hit.method,
    url: hit.target,
    scheme: hit.scheme,
    host: hit.host,
    // An out-of-range port is no error of the line's: it is left out quietly, as before.
    port: hit.port !== null && hit.port >= 0 && hit.port <= 65535 ? hit.port : null,
    path: hit.path,
    query: hit.query,
    httpVersion: hit.httpVersion,
    status: hit.status,
    statusText: hit.statusText,
    bytes: hit.bytes,
    referrer: hit.referrer,
    referrerHost: hit.referrerHost,
    userAgent: hit.userAgent,
    browser: hit.browser,
    browserVersion: hit.browserVersion,
    os: hit.os,
    device: hit.device,
    isBot: hit.isBot,
    geoDb: hit.geoDb,
    requestTimeMs: hit.requestTimeMs,
    extra: hit.extra === null ? null : { ...hit.extra },
    damage: null,
  });
  if (!fitted.ok || fitted.dropped.length === 0) return fitted;
  return {
    ok: true,
    row: { ...fitted.row, damage: fitted.dropped.map((column) => `dropped:${column}`).join(',') },
    dropped: fitted.dropped,
  };
}
