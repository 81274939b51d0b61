/**
 * Which formats exist and in which order auto-detection tries them.
 * Adding a format is one file that exports a `Parser` and one line in each table below.
 */
import type { FormatName } from '../domain/index.js';
import { parseAlb } from './alb.js';
import { parseCaddy } from './caddy.js';
import { parseCombined } from './combined.js';
import { parseCommon } from './common.js';
import { parseNginxJson } from './nginx-json.js';
import { parseProxy } from './proxy.js';
import type { FormatResult } from './reject.js';
import { parseSquid } from './squid.js';
import { parseTraefik } from './traefik.js';
import { parseVcombined } from './vcombined.js';
import { parseW3c, type W3cState } from './w3c.js';

/**
 * What a format may remember about one source between its lines (only W3C does: the columns its
 * `#Fields:` directive named). Create one per source (`createDetectMemo`) and pass it on every call.
 */
export type SourceState = W3cState;

/** A format parser: pure but for `state`, never throws; a rejection carries a reason and how far it got. */
export type Parser = (line: string, state?: SourceState) => FormatResult;

/** The parser of each built-in format (`custom` is compiled from the user's format string). */
export const FORMAT_PARSERS: Readonly<Partial<Record<FormatName, Parser>>> = Object.freeze({
  proxy: parseProxy,
  traefik: parseTraefik,
  combined: parseCombined,
  vcombined: parseVcombined,
  common: parseCommon,
  alb: parseAlb,
  squid: parseSquid,
  w3c: parseW3c,
  caddy: parseCaddy,
  'nginx-json': parseNginxJson,
});

/**
 * The order auto-detection tries formats in: most specific first. The formats are disjoint but for
 * one pair: `combined` accepts Traefik's lines (its tail reads as trailing fields), so `traefik` comes
 * before it. Otherwise the order only matters for speed (each format rejects a foreign line within
 * its first fields) and for which rejection is reported when the lines are equally close.
 */
export const AUTO_ORDER: readonly FormatName[] = Object.freeze([
  'proxy',
  'traefik',
  'combined',
  'vcombined',
  'common',
  'alb',
  'squid',
  'w3c',
  'caddy',
  'nginx-json',
]);
