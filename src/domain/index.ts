/** The vocabulary every step of the pipeline shares. Imports nothing from the project. */
export type { LogLine, LineBatch } from './log-line.js';
export type { RawLine, CleanLine, RejectedLine, CleanOrRejectedLine } from './read-line.js';
export { streamIdOf, eventIdOf, STREAM_ID_BYTES, EVENT_ID_BYTES } from './event-id.js';
export { sourceNameProblem, MAX_SOURCE_BYTES } from './source-name.js';
export { detachedText } from './detached-text.js';
export { FORMAT_NAMES } from './hit.js';
export { REJECT_CODES, type RejectCode, type RejectReason } from './reject-code.js';
export type { FormatName, LogTime, ParsedHit, ParseResult, GeoLocation, EnrichedHit } from './hit.js';
