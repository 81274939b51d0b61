/** Files and byte streams (standard input) as sources of line batches; which files of a directory are logs. */
export { LineSplitter } from './line-splitter.js';
export type { LineSplitterOptions, SplitterCounts } from './line-splitter.js';
export { StreamSource } from './stream-source.js';
export type { StreamSourceOptions } from './stream-source.js';
export { expandDirectories, isCompressedName, logFilesIn } from './log-file-names.js';
