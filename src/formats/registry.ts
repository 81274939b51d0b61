/**
 * Which formats exist and in which order auto-detection tries them.
 * Adding a format is one file that exports a `Parser` and one line in each table below.
 */
import type { FormatName } from '../domain/index.js';
import { parseCombined } from './combined.js';
import { parseCommon } from './common.js';
import { parseProxy } from './proxy.js';
import type { FormatResult } from './reject.js';

/** A format parser: pure, never throws; a rejection carries a reason and how far it got. */
export type Parser = (line: string) => FormatResult;

/** The parser of each format that has one. */
export const FORMAT_PARSERS: Readonly<Partial<Record<FormatName, Parser>>> = Object.freeze({
  proxy: parseProxy,
  combined: parseCombined,
  common: parseCommon,
});

/**
 * The order auto-detection tries formats in: most specific first. The formats are disjoint (each
 * rejects the others' lines by what follows the size), so the order only matters for speed and for
 * which rejection is reported when the lines are equally close.
 */
export const AUTO_ORDER: readonly FormatName[] = Object.freeze(['proxy', 'combined', 'common']);
