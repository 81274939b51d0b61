/**
 * Scenario: parse + enrich, in this process, one core: every line through `parseLine` (auto) and
 * `enrich` with the geo database and the user-agent lookup on, as the clean consumer does.
 */
import { createDetectMemo, parseLine } from '../../src/formats/index.js';
import { createUserAgentLookup, enrich } from '../../src/enrich/index.js';
import { openGeoDatabase } from '../../src/geo/index.js';

export interface ParseEnrichResult {
  readonly linesPerSecond: number;
  readonly parsed: number;
}

export async function benchParseEnrich(lines: readonly string[]): Promise<ParseEnrichResult> {
  const geo = await openGeoDatabase();
  const options = { geo: geo.lookup, geoDb: geo.label, userAgent: createUserAgentLookup() };
  const memo = createDetectMemo();
  let parsed = 0;
  const started = performance.now();
  for (const line of lines) {
    const result = parseLine(line, 'auto', memo);
    if (result.ok) {
      enrich(result.hit, options);
      parsed++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { linesPerSecond: lines.length / seconds, parsed };
}
