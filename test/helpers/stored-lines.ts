/**
 * What the database must hold for a file, and the exact-once check every delivery test ends with:
 * raw_log has each non-blank line once, byte for byte; each raw line is in clean_log or in
 * rejected_log, never both, never neither; no event id twice.
 */
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import type { TestServices } from './services.js';
import { assertRollupsMatchLines } from './rollups.js';

/** The non-blank lines of `content`, as raw_log must hold them (endings removed, long lines cut). */
export function expectedLines(content: Buffer, maxLineBytes = 64 * 1024): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  while (start < content.length) {
    let end = content.indexOf(0x0a, start);
    const last = end === -1;
    if (last) end = content.length;
    let line = content.subarray(start, end);
    if (!last && line.at(-1) === 0x0d) line = line.subarray(0, -1);
    if (line.length > maxLineBytes) lines.push(line.subarray(0, maxLineBytes));
    else if (!/^[ \t\r]*$/.test(line.toString('latin1'))) lines.push(line);
    start = end + 1;
  }
  return lines;
}

export interface StoredCounts {
  readonly raw: number;
  readonly clean: number;
  readonly rejected: number;
  /** Lines both parsed and rejected: must be 0. */
  readonly inBoth: number;
  /** Raw lines neither parsed nor rejected: must be 0 once the pipeline is drained. */
  readonly inNeither: number;
}

export async function storedCounts(services: TestServices, source: string): Promise<StoredCounts> {
  const sql = await services.sql();
  const [[row]] = await sql.query<RowDataPacket[]>(
    `SELECT (SELECT COUNT(*) FROM raw_log WHERE source = ?) AS raw,
            (SELECT COUNT(*) FROM clean_log WHERE source = ?) AS clean,
            (SELECT COUNT(*) FROM rejected_log WHERE source = ?) AS rejected,
            (SELECT COUNT(*) FROM clean_log c JOIN rejected_log r USING (event_id) WHERE c.source = ?) AS in_both,
            (SELECT COUNT(*) FROM raw_log w
               WHERE w.source = ?
                 AND NOT EXISTS (SELECT 1 FROM clean_log c WHERE c.event_id = w.event_id)
                 AND NOT EXISTS (SELECT 1 FROM rejected_log r WHERE r.event_id = w.event_id)) AS in_neither`,
    [source, source, source, source, source],
  );
  return {
    raw: Number(row?.raw),
    clean: Number(row?.clean),
    rejected: Number(row?.rejected),
    inBoth: Number(row?.in_both),
    inNeither: Number(row?.in_neither),
  };
}

/** Raw rows of `source` so far (a cheap count, for waiting until a run is mid-stream). */
export async function rawRowCount(services: TestServices, source: string): Promise<number> {
  const sql = await services.sql();
  const [[row]] = await sql.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM raw_log WHERE source = ?', [
    source,
  ]);
  return Number(row?.n);
}

export async function storedLines(services: TestServices, source: string): Promise<Buffer[]> {
  const sql = await services.sql();
  const [rows] = await sql.query<RowDataPacket[]>('SELECT line FROM raw_log WHERE source = ?', [source]);
  return rows.map((row) => row.line as Buffer);
}

/** The promise, checked: every line exactly once in raw_log and exactly once in clean_log or rejected_log. */
export async function assertExactlyOnce(
  services: TestServices,
  source: string,
  lines: readonly Buffer[],
): Promise<void> {
  const counts = await storedCounts(services, source);
  assert.equal(counts.raw, lines.length, 'raw_log has one row per input line');
  assert.equal(
    counts.clean + counts.rejected,
    lines.length,
    'clean_log + rejected_log have one row per input line',
  );
  assert.equal(counts.inBoth, 0, 'no line is both parsed and rejected');
  assert.equal(counts.inNeither, 0, 'every raw line is parsed or rejected');
  const sortedHex = (list: readonly Buffer[]): string[] => list.map((line) => line.toString('hex')).sort();
  assert.deepEqual(
    sortedHex(await storedLines(services, source)),
    sortedHex(lines),
    'raw_log holds the exact bytes',
  );
  await assertRollupsMatchLines(services, source);
}
