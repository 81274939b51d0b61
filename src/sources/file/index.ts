/** Files and byte streams as line batches. */
export { LineSplitter } from './line-splitter.js';
export type { LineSplitterOptions, SplitterCounts } from './line-splitter.js';
export { readLineBatches } from './read-batches.js';
