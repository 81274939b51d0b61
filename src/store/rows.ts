/**
 * Domain values → table rows that their columns can hold (see column-fit.ts): a text too long for
 * its column is stored cut, a number or date out of range is dropped and named in `damage`, and a
 * row that cannot be stored at all (a required value out of range) comes back as a reason, so that
 * its line is rejected rather than its whole message refused.
 */
import type { EnrichedHit } from '../domain/index.js';
import { PoisonMessageError } from '../errors.js';
import { clip, rowFitterOf, textWidthsOf } from './column-fit.js';
import type { FitResult } from './column-fit.js';
import { partitionDayOf } from './partition-days.js';
import { cleanLog, rawLog, rejectedLog } from './schema.js';
import type { CleanRow, RawRow, RejectedRow } from './schema.js';

const fitRaw = rowFitterOf<RawRow>(rawLog);
// The clean row's texts are clipped field by field below, which costs a fifth of a loop over its
// columns by name; the loop checks its numbers and dates.
const fitClean = rowFitterOf<CleanRow>(cleanLog, { texts: false });
const width = textWidthsOf<keyof CleanRow>(cleanLog);
const rejectedWidth = textWidthsOf<keyof RejectedRow>(rejectedLog);

/** `value` clipped to `max`, null kept. */
const cut = (value: string | null, max: number): string | null => (value === null ? null : clip(value, max));

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
  const fitted = fitRaw({ eventId, source, receivedAt, ts, day: '', line, truncated });
  if (!fitted.ok) throw new PoisonMessageError('LR_MESSAGE_UNPROCESSABLE', `raw_log: ${fitted.reason}`);
  // The day of the time that was kept (a time out of range was dropped: the line is untimed).
  return { ...fitted.row, day: partitionDayOf(fitted.row.ts ?? null) };
}

/**
 * A rejected row. `ts` is the line's own time when it can be read (as for its raw row), which
 * decides its day (its partition); null for an untimed line.
 */
export function rejectedRowOf(
  eventId: Buffer,
  source: string,
  receivedAt: Date,
  line: Buffer,
  reason: string,
  ts: Date | null,
): RejectedRow {
  return {
    eventId,
    source,
    receivedAt,
    day: partitionDayOf(ts),
    line,
    reason: clip(reason, rejectedWidth.reason),
  };
}

/** The clean row of an enriched line, made to fit; or why it cannot be stored. */
export function cleanRowOf(eventId: Buffer, source: string, hit: EnrichedHit): FitResult<CleanRow> {
  const fitted = fitClean({
    eventId,
    source: clip(source, width.source),
    format: clip(hit.format, width.format),
    ts: hit.ts,
    utcOffsetMin: hit.time.offsetMinutes,
    ip: cut(hit.ip, width.ip),
    forwardedFor: cut(hit.forwardedFor, width.forwardedFor),
    country: cut(hit.country, width.country),
    countryCode: cut(hit.countryCode, width.countryCode),
    city: cut(hit.city, width.city),
    session: cut(hit.session, width.session),
    user: cut(hit.user, width.user),
    isEmail: hit.isEmail,
    emailDomain: cut(hit.emailDomain, width.emailDomain),
    method: cut(hit.method, width.method),
    url: cut(hit.target, width.url),
    scheme: cut(hit.scheme, width.scheme),
    host: cut(hit.host, width.host),
    // An out-of-range port is no error of the line's: it is left out quietly, as before.
    port: hit.port !== null && hit.port >= 0 && hit.port <= 65535 ? hit.port : null,
    path: cut(hit.path, width.path),
    query: cut(hit.query, width.query),
    httpVersion: cut(hit.httpVersion, width.httpVersion),
    status: hit.status,
    statusText: cut(hit.statusText, width.statusText),
    bytes: hit.bytes,
    referrer: cut(hit.referrer, width.referrer),
    referrerHost: cut(hit.referrerHost, width.referrerHost),
    userAgent: cut(hit.userAgent, width.userAgent),
    browser: cut(hit.browser, width.browser),
    browserVersion: cut(hit.browserVersion, width.browserVersion),
    os: cut(hit.os, width.os),
    device: cut(hit.device, width.device),
    isBot: hit.isBot,
    geoDb: cut(hit.geoDb, width.geoDb),
    requestTimeMs: hit.requestTimeMs,
    extra: hit.extra === null ? null : { ...hit.extra },
    damage: hit.damage === null ? null : clip(hit.damage, width.damage),
  });
  if (!fitted.ok || fitted.dropped.length === 0) return fitted;
  const dropped = fitted.dropped.map((column) => `dropped:${column}`);
  const damage = hit.damage === null ? dropped.join(',') : [hit.damage, ...dropped].join(',');
  return { ok: true, row: { ...fitted.row, damage: clip(damage, width.damage) }, dropped: fitted.dropped };
}
