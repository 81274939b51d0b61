/** Checkpoints of followed files: the record, its atomic store, and the confirmed-prefix bookkeeping. */
export { FINGERPRINT_BYTES, checkpointKeyOf, parseCheckpoint } from './checkpoint-record.js';
export type { Checkpoint, Fingerprint } from './checkpoint-record.js';
export { openCheckpointStore } from './checkpoint-store.js';
export type { CheckpointStore } from './checkpoint-store.js';
export { ContiguousOffsets } from './contiguous-offsets.js';
