/**
 * The geo adapter: opens an MMDB database (the shipped DB-IP City Lite, or GEOIP_DB) with its own
 * reader, which reads the file where it lies (mmdb-file.ts), and hands out a lookup function for the
 * enricher, with the database's name and date.
 */
export {
  openGeoDatabase,
  openGeoFile,
  openShippedGeo,
  shippedDatabaseDir,
  type GeoDatabase,
} from './open.js';
export { locationOfRecord, countryNameOf } from './record.js';
