/**
 * The geo seam: the enricher does not open a database, it is handed a lookup function (an MMDB
 * reader wrapped by the geo adapter) and the database's name. Only public addresses are looked up:
 * private, loopback, documentation and other reserved ranges get no location rather than a wrong one.
 */
import type { GeoLocation } from '../domain/index.js';
import { isPublicAddress } from './ip.js';

/** Finds where `ip` is; null when unknown. Must not throw: it runs once per line. */
export type GeoLookup = (ip: string) => GeoLocation | null;

/** The location of nowhere: what a hit gets when no lookup is given or it finds nothing. */
export const NO_LOCATION: GeoLocation = Object.freeze({ country: null, countryCode: null, city: null });

/** The location of `ip` by `lookup`, or `NO_LOCATION` (always for an address that is not public). */
export function locate(ip: string | null, lookup: GeoLookup | undefined): GeoLocation {
  if (ip === null || lookup === undefined || !isPublicAddress(ip)) return NO_LOCATION;
  return lookup(ip) ?? NO_LOCATION;
}
