/** Sources: where lines come from (files, standard input; the simulator and followers as they land). */
export { LineSplitter, expandDirectories, logFilesIn, readLineBatches } from './file/index.js';
export type { LineSplitterOptions, SplitterCounts } from './file/index.js';
export { followFiles, readLiveBatches, compileFileGlob } from './follow/index.js';
export type { FileFollower, FollowCounts, FollowOptions } from './follow/index.js';
export { createTrafficSimulator, SIMULATED_FORMATS } from './simulator/index.js';
export type { TrafficSimulator, SimulatedFormat } from './simulator/index.js';
