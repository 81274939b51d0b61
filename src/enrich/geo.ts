/**
 * The geo seam: the enricher does not open a database, it is handed a lookup function (an MMDB
 * reader wrapped by an adapter). Without one, or when it finds nothing, the location is all null.
 */
import type { GeoLocation } from '../domain/index.js';

/** Finds where `ip` is; null when unknown. Must not throw: it runs once per line. */
export type GeoLookup = (ip: string) => GeoLocation | null;

/** The location of nowhere: what a hit gets when no lookup is given or it finds nothing. */
export const NO_LOCATION: GeoLocation = Object.freeze({ country: null, countryCode: null, city: null });

/** The location of `ip` by `lookup`, or `NO_LOCATION`. */
export function locate(ip: string | null, lookup: GeoLookup | undefined): GeoLocation {
  if (ip === null || lookup === undefined) return NO_LOCATION;
  return lookup(ip) ?? NO_LOCATION;
}
