/**
 * Scenario: the database's own ceiling for these rows — the same raw and clean rows the pipeline
 * writes, made in memory beforehand (not timed), inserted with the same writers, batch size and
 * transactions in flight per table, raw and clean in parallel as the two consumers do, with no
 * broker in between.
 */
import { createDetectMemo, parseLine, readLineTime } from '../../src/formats/index.js';
import { createUserAgentLookup, enrich } from '../../src/enrich/index.js';
import { openGeoDatabase } from '../../src/geo/index.js';
import { eventIdOf, streamIdOf } from '../../src/domain/index.js';
import { cleanRowOf, createRowWriters, openStore, rawRowOf, rejectedRowOf } from '../../src/store/index.js';
import type { CleanOrRejectedRow, DatabaseEndpoint, RawRow } from '../../src/store/index.js';
import { writeCleanOrRejected, writeRaw } from '../../test/helpers/row-writes.js';

export async function benchDirectInsert(
  endpoint: DatabaseEndpoint,
  lines: readonly string[],
  batchRows: number,
  concurrency: number,
): Promise<{ linesPerSecond: number; writeMethod: string }> {
  const geo = await openGeoDatabase();
  const options = { geo: geo.lookup, geoDb: geo.label, userAgent: createUserAgentLookup() };
  const source = 'direct-insert';
  const streamId = streamIdOf(source, Buffer.from(lines[0] ?? ''));
  const now = new Date();
  const memo = createDetectMemo();
  const raw: RawRow[] = [];
  const clean: CleanOrRejectedRow[] = [];
  let offset = 0;
  for (const line of lines) {
    const bytes = Buffer.from(line);
    const eventId = eventIdOf(streamId, offset);
    offset += bytes.length + 1;
    const time = readLineTime(line);
    const ts = time === null ? null : new Date(time.epochMs);
    raw.push(rawRowOf(eventId, source, now, bytes, false, ts));
    const result = parseLine(line, 'auto', memo);
    const fitted = result.ok ? cleanRowOf(eventId, source, enrich(result.hit, options)) : result;
    clean.push(
      fitted.ok
        ? { table: 'clean_log', row: fitted.row, line: bytes, receivedAt: now }
        : { table: 'rejected_log', row: rejectedRowOf(eventId, source, now, bytes, fitted.reason, ts) },
    );
  }

  const store = await openStore(endpoint, { timeoutMs: 5000, setup: true });
  try {
    const writers = createRowWriters(store.db, store.writeMethod, {
      maxAllowedPacket: store.maxAllowedPacket,
    });
    const started = performance.now();
    // `concurrency` loops per table take the batches in turn, as the consumer's batch writer does.
    const inTurns = <Row>(
      rows: readonly Row[],
      write: (batch: Row[]) => Promise<number>,
    ): Array<Promise<void>> => {
      let next = 0;
      return Array.from({ length: concurrency }, async () => {
        for (let at = next; at < rows.length; at = next) {
          next += batchRows;
          await write(rows.slice(at, at + batchRows));
        }
      });
    };
    await Promise.all([
      ...inTurns(raw, (batch) => writeRaw(writers, batch)),
      ...inTurns(clean, (batch) => writeCleanOrRejected(writers, batch)),
    ]);
    const seconds = (performance.now() - started) / 1000;
    return { linesPerSecond: lines.length / seconds, writeMethod: store.writeMethod };
  } finally {
    await store.close();
  }
}
