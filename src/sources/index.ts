/** Sources: where lines come from (files, standard input; the simulator and followers as they land). */
export { LineSplitter, readLineBatches } from './file/index.js';
export type { LineSplitterOptions, SplitterCounts } from './file/index.js';
