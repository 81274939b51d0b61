/** Telemetry: the logger (and, as they land, the metrics registry and its recorders). */
export { createLogger } from './logger.js';
export type { Logger } from './logger.js';
