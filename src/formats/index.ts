/**
 * Log formats: one file per format, each a pure `(line) => ParseResult` that never throws, plus
 * auto-detection, the custom-format compilers and a cheap time reader. See registry.ts to add a format.
 */
export { parseLine, createDetectMemo, type DetectMemo, type FormatChoice } from './detect.js';
export { readLineTime } from './line-time.js';
export { FORMAT_PARSERS, AUTO_ORDER, type Parser, type SourceState } from './registry.js';
export { parseClfTime } from './clf-time.js';
export { parseIsoTime, parseEpochSeconds } from './iso-time.js';
export { compileNginxFormat } from './nginx-log-format.js';
export { compileApacheFormat } from './apache-log-format.js';
export type { CustomFormat, CompileResult, Segment, FieldRole } from './custom-format.js';
export { parseForwardedFor, type ForwardedFor } from './forwarded.js';
export { repairJson, parseJsonObject } from './lenient-json.js';
export { IIS_DEFAULT_FIELDS } from './w3c.js';
export type { FormatResult, Rejection } from './reject.js';
