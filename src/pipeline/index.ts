/** The pipeline: producing (sources → broker, one publish loop) and consuming (broker → parse → enrich → store). */
export { brokerPublisher, publishBatches } from './publish.js';
export type { BatchPublisher, OpenPublisher, ProduceCounts, PublishOptions, Publishing } from './publish.js';
export { startConsumers } from './consume.js';
export { rawLinesOf, readLinesOf, MAX_PARSED_LINE_BYTES } from './lines-of-message.js';
export type { FitLine, MessageLines, ReadLines, ReadLinesOptions } from './lines-of-message.js';
export type { ConsumeOptions, ConsumeCounts, RunningConsumers, QueueRole } from './consume.js';
export { waitUntilDrained } from './idle.js';
export type { IdleOptions } from './idle.js';
export { checkStoredEvery, trackStoredLines, waitUntilStored } from './stored-lines.js';
export type { InputLines, StoredLines, StoredWaitOptions } from './stored-lines.js';
