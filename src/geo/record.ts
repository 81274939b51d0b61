/**
 * MMDB records → `GeoLocation`. Two schemas are in use:
 * - DB-IP Lite as ip-location-db ships it: `{ country_code, city, state1, … }`, no country name;
 * - MaxMind GeoLite2/GeoIP2 City and Country: `{ country: { iso_code, names: { en } }, city: { names } }`,
 *   with `registered_country` when the address has no physical country (anycast, satellites).
 * Country names missing from the record are the English names of the ISO code (Intl.DisplayNames).
 */
import type { GeoLocation } from '../domain/index.js';

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function englishName(place: unknown): string | null {
  return isObject(place) && isObject(place.names) ? text(place.names.en) : null;
}

// Intl.DisplayNames is slow enough to show in a profile of the consumer (1.7% of its CPU), and there
// are only a few hundred codes: each name is looked up once.
const countryNames = new Map<string, string | null>();

/** The English name of an ISO 3166-1 alpha-2 code (`DE` → `Germany`), or null. */
export function countryNameOf(code: string | null): string | null {
  if (code === null) return null;
  const known = countryNames.get(code);
  if (known !== undefined) return known;
  let name: string | null = null;
  if (/^[A-Z]{2}$/.test(code)) {
    try {
      name = regionNames.of(code) ?? null;
    } catch {
      name = null;
    }
  }
  if (countryNames.size < 1024) countryNames.set(code, name);
  return name;
}

/** The location in an MMDB record of either schema; null when the record places nothing. */
export function locationOfRecord(record: unknown): GeoLocation | null {
  if (!isObject(record)) return null;
  let code: string | null;
  let country: string | null = null;
  let city: string | null;
  if (isObject(record.country) || isObject(record.registered_country)) {
    const place = isObject(record.country) ? record.country : record.registered_country;
    code = isObject(place) ? text(place.iso_code) : null;
    country = englishName(place);
    city = englishName(record.city);
  } else {
    code = text(record.country_code);
    city = text(record.city);
  }
  code = code === null ? null : code.toUpperCase();
  country ??= countryNameOf(code);
  if (code === null && country === null && city === null) return null;
  return { country, countryCode: code, city };
}
