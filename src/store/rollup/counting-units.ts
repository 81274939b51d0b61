/**
 * The rows a transaction is given, as the rollups see them: per stream, the byte range the rows
 * cover and the clean lines among them. Rejected rows take part in the range (their lines were met)
 * but are not counted: the rollups sum the lines a format read.
 */
import { EVENT_ID_BYTES, STREAM_ID_BYTES } from '../../domain/index.js';
import type { CleanRow, RejectedRow } from '../schema.js';
import { addCountedLine, countedColumns } from './tally.js';
import type { CountedColumns, CountingUnit, TextTable } from './tally.js';

/** A row of the clean writer, as far as the rollups look at it (writers.ts' CleanOrRejectedRow). */
export type CountableRow =
  | { readonly table: 'clean_log'; readonly row: CleanRow; readonly line: Buffer }
  | { readonly table: 'rejected_log'; readonly row: RejectedRow };

/** The offset an event id ends with (see domain/event-id.ts). */
export function offsetOf(eventId: Buffer): number {
  if (eventId.length !== EVENT_ID_BYTES) throw new Error(`an event id of ${eventId.length} bytes`);
  return eventId.readUInt32BE(STREAM_ID_BYTES) * 0x1_0000_0000 + eventId.readUInt32BE(STREAM_ID_BYTES + 4);
}

/**
 * One unit per stream among `rows` (the rows of one message, or a slice of them: consecutive lines
 * of one stream, which is what makes the range [first offset, end of the last line) theirs alone).
 * Their texts go to `table`, the transaction's.
 */
export function countingUnitsOf(rows: readonly CountableRow[], table: TextTable): CountingUnit[] {
  const units = new Map<
    string,
    { streamId: Buffer; source: string; start: number; end: number } & CountedColumns
  >();
  for (const entry of rows) {
    const { eventId, source } = entry.row;
    const offset = offsetOf(eventId);
    const line = entry.table === 'clean_log' ? entry.line : entry.row.line;
    const end = offset + line.length;
    const key = eventId.toString('latin1', 0, STREAM_ID_BYTES);
    let unit = units.get(key);
    if (unit === undefined) {
      unit = {
        streamId: Buffer.from(eventId.subarray(0, STREAM_ID_BYTES)),
        source,
        start: offset,
        end,
        // Room for all the rows: they are of one stream, but for a slice a batch was halved into.
        ...countedColumns(rows.length, table),
      };
      units.set(key, unit);
    }
    if (offset < unit.start) unit.start = offset;
    if (end > unit.end) unit.end = end;
    if (entry.table === 'clean_log') addCountedLine(unit, entry.row, offset);
  }
  return [...units.values()];
}
