/**
 * The geo adapter: opens an MMDB database (the shipped DB-IP City Lite, or GEOIP_DB) with `maxmind`
 * and hands out a lookup function for the enricher, with the database's name and date.
 */
export {
  openGeoDatabase,
  openGeoFile,
  openShippedGeo,
  shippedDatabaseDir,
  type GeoDatabase,
} from './open.js';
export { locationOfRecord, countryNameOf } from './record.js';
