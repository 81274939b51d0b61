/**
 * Log formats: one file per format, each a pure `(line) => ParseResult` that never throws, plus
 * auto-detection and a cheap time reader. See registry.ts to add a format.
 */
export { parseLine, createDetectMemo, type DetectMemo } from './detect.js';
export { readLineTime } from './line-time.js';
export { FORMAT_PARSERS, AUTO_ORDER, type Parser } from './registry.js';
export { parseClfTime } from './clf-time.js';
export type { FormatResult, Rejection } from './reject.js';
