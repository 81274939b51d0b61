/** Files and byte streams as line batches; which files of a directory are logs. */
export { LineSplitter } from './line-splitter.js';
export type { LineSplitterOptions, SplitterCounts } from './line-splitter.js';
export { readLineBatches } from './read-batches.js';
export { expandDirectories, isCompressedName, logFilesIn } from './log-file-names.js';
