/** The pipeline: producing (inputs → broker) and consuming (broker → parse → enrich → store). */
export { produceInputs } from './produce.js';
export type { ProduceInput, ProduceCounts, ProduceOptions } from './produce.js';
export { startConsumers } from './consume.js';
export type { ConsumeOptions, ConsumeCounts, RunningConsumers, QueueRole } from './consume.js';
export { waitUntilDrained } from './idle.js';
export { publishLive } from './follow.js';
export type { LiveSource, LiveCounts, LivePublishing, PublishLiveOptions } from './follow.js';
export type { IdleOptions } from './idle.js';
export { checkStoredEvery, trackStoredLines, waitUntilStored } from './stored-lines.js';
export type { InputLines, StoredLines, StoredWaitOptions } from './stored-lines.js';
