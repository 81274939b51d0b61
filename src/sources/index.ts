/**
 * Sources: where lines come from, each as a `Source` the publish loop reads (files and standard input
 * read once, followed files, the paced simulator).
 */
export type { Source, SourceCounts } from './source.js';
export { LineSplitter, StreamSource, expandDirectories, logFilesIn } from './file/index.js';
export type { LineSplitterOptions, SplitterCounts, StreamSourceOptions } from './file/index.js';
export { followFiles, compileFileGlob } from './follow/index.js';
export type { FileFollower, FollowCounts, FollowOptions } from './follow/index.js';
export {
  createTrafficSimulator,
  pacedLines,
  SimulatorSource,
  MAX_GROUP_LINES,
  SIMULATED_FORMATS,
} from './simulator/index.js';
export type {
  TrafficSimulator,
  SimulatedFormat,
  PaceOptions,
  SimulatorSourceOptions,
} from './simulator/index.js';
