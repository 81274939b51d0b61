/**
 * Writing rows directly, for tests and benches that fill tables or drive a batch writer without a
 * broker: the store's own API takes rows only through the consumers' port (line-store.ts).
 */
import type { BatchWriter, RowBatch } from '../../src/store/batch-writer.js';
import type { CleanOrRejectedRow, RowWriters } from '../../src/store/writers.js';
import type { RawRow } from '../../src/store/schema.js';

/** Batches that hand their rows to `write` in one call: an in-memory stand-in for a transaction. */
export function batchesOf<Row>(write: (rows: readonly Row[]) => Promise<number>): () => RowBatch<Row> {
  return () => {
    let rows: Row[] = [];
    return {
      add(more) {
        for (const row of more) rows.push(row);
      },
      write: () => write(rows),
      release: () => void (rows = []),
    };
  };
}

/** `rows` as one unit of `writer`, made already; resolves once committed. */
export function addNow<Row>(writer: BatchWriter<Row>, rows: readonly Row[]): Promise<void> {
  return writer.addLater(rows.length, 0, () => rows);
}

/** Writes `rows` in a transaction of their own; resolves with how many were new. */
async function writeAlone<Row>(begin: () => RowBatch<Row>, rows: readonly Row[]): Promise<number> {
  if (rows.length === 0) return 0;
  const batch = begin();
  batch.add(rows);
  try {
    return await batch.write();
  } finally {
    batch.release();
  }
}

/** raw_log rows written in a transaction of their own; how many were new. */
export const writeRaw = (writers: RowWriters, rows: readonly RawRow[]): Promise<number> =>
  writeAlone(() => writers.beginRaw(), rows);

/** clean_log and rejected_log rows (and their rollups) in a transaction of their own; how many were new. */
export const writeCleanOrRejected = (
  writers: RowWriters,
  rows: readonly CleanOrRejectedRow[],
): Promise<number> => writeAlone(() => writers.beginCleanOrRejected(), rows);
