/**
 * The traffic simulator: realistic, deterministic web-server access-log lines (`proxy`, `common` or
 * `combined`) for the demo, the sample log and benchmarks. Pure: no clock, no I/O, no Math.random.
 */
export { createTrafficSimulator, SIMULATOR_DEFAULTS } from './simulator.js';
export type { TrafficSimulator, TrafficSimulatorOptions } from './simulator.js';
export { SIMULATED_FORMATS } from './lines.js';
export type { SimulatedFormat } from './lines.js';
export { formatClfTime, formatUtcOffset, parseUtcOffset } from './clf-time.js';
