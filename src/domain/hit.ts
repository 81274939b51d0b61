/**
 * A request, as a format parser reads it (`ParsedHit`) and as the enrichers complete it (`EnrichedHit`).
 * Parsers return a `ParseResult`: a hit, or the reason no hit could be read. A bad line is data.
 */
import type { RejectCode } from './reject-code.js';

/** Names accepted by `--format` and stored in the `format` column. */
export const FORMAT_NAMES = [
  'proxy',
  'common',
  'combined',
  'vcombined',
  'nginx-json',
  'caddy',
  'w3c',
  'alb',
  'squid',
  'traefik',
  'custom',
] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

/** A point in time as written in the log: the UTC instant and the offset the line gave. */
export interface LogTime {
  /** Milliseconds since the epoch, UTC. */
  readonly epochMs: number;
  /** The line's UTC offset in minutes (`-0500` is -300); 0 when the line's time is in UTC. */
  readonly offsetMinutes: number;
}

/** The fields a format can read from one line; what the format does not carry is null. */
export interface ParsedHit {
  readonly format: FormatName;
  /** The client address (the first address of an X-Forwarded-For chain when the format has one). */
  readonly ip: string | null;
  /** The whole X-Forwarded-For chain, as written. */
  readonly forwardedFor: string | null;
  /** The proxy format's session id; null for `-`. */
  readonly session: string | null;
  /** The authenticated user (login or e-mail address); null for `-`. */
  readonly user: string | null;
  readonly time: LogTime;
  readonly method: string | null;
  /** The request target as written: an absolute URL or a path with its query. */
  readonly target: string | null;
  /** `HTTP/1.1`, `HTTP/2.0`…; null when the request line had none. */
  readonly httpVersion: string | null;
  readonly status: number;
  /** Response size in bytes; `-` reads as 0. */
  readonly bytes: number;
  readonly referrer: string | null;
  readonly userAgent: string | null;
  /** The virtual host, for formats that log it (vcombined, W3C, JSON formats). */
  readonly vhost: string | null;
  /** Time taken to serve the request, in milliseconds. */
  readonly requestTimeMs: number | null;
  /** Fields the format carries that have no column of their own (custom formats' unknown variables). */
  readonly extra: Readonly<Record<string, string>> | null;
  /**
   * What the line lacked that the parser read around, comma-separated codes (`unterminated:user_agent`
   * when the line was cut inside its user agent); null for a whole line. Stored in `clean_log.damage`.
   */
  readonly damage: string | null;
}

/** A hit, or why there is none: `reason` is the text people read, `code` what metrics count. */
export type ParseResult =
  | { readonly ok: true; readonly hit: ParsedHit }
  | { readonly ok: false; readonly reason: string; readonly code: RejectCode };

/** Location of a client address, from an offline geo database. */
export interface GeoLocation {
  readonly country: string | null;
  readonly countryCode: string | null;
  readonly city: string | null;
}

/** A parsed hit with the derived fields the `clean_log` table stores. */
export interface EnrichedHit extends ParsedHit {
  /** The UTC instant as a Date (millisecond precision). */
  readonly ts: Date;
  readonly scheme: string | null;
  readonly host: string | null;
  readonly port: number | null;
  readonly path: string | null;
  readonly query: string | null;
  /** Reason phrase of the status: `Not Found`; null for a status with no standard phrase. */
  readonly statusText: string | null;
  readonly isEmail: boolean;
  readonly emailDomain: string | null;
  readonly country: string | null;
  readonly countryCode: string | null;
  readonly city: string | null;
  /** The geo database that placed the address (`DB-IP City Lite 2026-06-05`); null when none was asked. */
  readonly geoDb: string | null;
  /** Host of the referrer URL (`www.google.com`), lower case. */
  readonly referrerHost: string | null;
  /** Browser name from the user agent (`Chrome`, `Mobile Safari`); null when unknown or not looked at. */
  readonly browser: string | null;
  readonly browserVersion: string | null;
  /** Operating system and its version (`Windows 10`, `Android 14`). */
  readonly os: string | null;
  /** `desktop`, `mobile`, `tablet`, `smarttv`, `console`, `wearable`, `embedded`, `xr` or `bot`. */
  readonly device: string | null;
  /** The user agent is a crawler, monitor or script (isbot); null when there is none or it was not looked at. */
  readonly isBot: boolean | null;
}
