/**
 * Read queries over the tables: the rows of given lines (by event-id range), for `ingest`, which
 * waits until its lines are stored, and samples of rejected lines.
 */
import { between, sql } from './drizzle.js';
import type { SQL } from 'drizzle-orm';
import type { Database } from './database.js';
import { cleanLog, rawLog, rejectedLog } from './schema.js';

/** The event ids from `first` to `last` (inclusive): consecutive lines of one stream. */
export interface EventIdRange {
  readonly first: Buffer;
  readonly last: Buffer;
}

/** Rows whose event id is in one range, per table. */
export interface RangeCounts {
  readonly raw: number;
  readonly clean: number;
  readonly rejected: number;
}

/** Ranges counted per statement: keeps a statement small whatever the number of inputs. */
const RANGES_PER_QUERY = 100;

/**
 * Rows in each table whose event id lies in each range, in the order of `ranges`: one statement per
 * hundred ranges, each count a range scan of a primary key.
 */
export async function countRowsInRanges(
  db: Database,
  ranges: readonly EventIdRange[],
): Promise<RangeCounts[]> {
  const counts: RangeCounts[] = [];
  for (let start = 0; start < ranges.length; start += RANGES_PER_QUERY) {
    const chunk = ranges.slice(start, start + RANGES_PER_QUERY);
    const inRange = (table: typeof rawLog | typeof cleanLog | typeof rejectedLog, range: EventIdRange): SQL =>
      sql`(SELECT COUNT(*) FROM ${table} WHERE ${table.eventId} BETWEEN ${range.first} AND ${range.last})`;
    const query = sql.join(
      chunk.map(
        (range, index) =>
          sql`SELECT ${index} AS i, ${inRange(rawLog, range)} AS raw, ${inRange(cleanLog, range)} AS clean, ${inRange(rejectedLog, range)} AS rejected`,
      ),
      sql` UNION ALL `,
    );
    const [rows] = (await db.execute(query)) as unknown as [Array<Record<string, unknown>>, unknown];
    const byIndex = new Map(rows.map((row) => [Number(row.i), row]));
    for (let index = 0; index < chunk.length; index++) {
      const row = byIndex.get(index);
      counts.push({
        raw: Number(row?.raw ?? 0),
        clean: Number(row?.clean ?? 0),
        rejected: Number(row?.rejected ?? 0),
      });
    }
  }
  return counts;
}

/** A rejected line as a sample shows it: its start and its reason. */
export interface RejectedSample {
  readonly line: Buffer;
  readonly reason: string;
}

/** Bytes of each sampled line: enough to tell text from binary, little to carry. */
const SAMPLE_LINE_BYTES = 256;

/** The first `limit` rejected lines of a range (their first bytes), for saying why they were. */
export async function sampleRejected(
  db: Database,
  range: EventIdRange,
  limit: number,
): Promise<RejectedSample[]> {
  const rows = await db
    .select({
      line: sql<Buffer>`LEFT(${rejectedLog.line}, ${SAMPLE_LINE_BYTES})`,
      reason: rejectedLog.reason,
    })
    .from(rejectedLog)
    .where(between(rejectedLog.eventId, range.first, range.last))
    .orderBy(rejectedLog.eventId)
    .limit(limit);
  return rows.map((row) => ({ line: Buffer.from(row.line), reason: row.reason }));
}
