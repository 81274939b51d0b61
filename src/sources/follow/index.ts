/** Following live files (`tail -F` with checkpoints), as a source. */
export { followFiles } from './follower.js';
export type { FileFollower, FollowCounts, FollowOptions } from './follower.js';
export { compileFileGlob, isCompressedName } from './file-glob.js';
export type { FileGlob } from './file-glob.js';
