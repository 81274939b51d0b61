/** Configuration: read once from the environment and command options, validated, frozen. */
export { debugRequested, loadConfig, readEnvironment } from './load.js';
export type { Config, RabbitConfig, DatabaseConfig } from './load.js';
export { environmentSchema, listenSchema, tuningSchema } from './schema.js';
export type { Listen, Tuning, TuningOverrides } from './schema.js';
