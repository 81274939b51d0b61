/**
 * The traffic simulator: realistic, deterministic web-server access-log lines (`proxy`, `common` or
 * `combined`) for the demo, the sample log and benchmarks. The simulator itself is pure (no clock, no
 * I/O, no Math.random); `paced.ts` releases its lines by the wall clock, and as a source.
 */
export { createTrafficSimulator, SIMULATOR_DEFAULTS } from './simulator.js';
export type { TrafficSimulator, TrafficSimulatorOptions } from './simulator.js';
export { SIMULATED_FORMATS } from './lines.js';
export type { SimulatedFormat } from './lines.js';
export { formatClfTime, formatUtcOffset, parseUtcOffset } from './clf-time.js';
export { MAX_GROUP_LINES, pacedLines, SimulatorSource } from './paced.js';
export type { PaceOptions, SimulatorSourceOptions } from './paced.js';
