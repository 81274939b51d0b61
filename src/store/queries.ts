/** Read queries over the tables: row counts for summaries and `--until-idle` checks. */
import { count, eq } from 'drizzle-orm';
import type { Database } from './database.js';
import { cleanLog, rawLog, rejectedLog } from './schema.js';

export interface TableCounts {
  readonly raw: number;
  readonly clean: number;
  readonly rejected: number;
}

/** Rows in each table, for one source or for all. */
export async function countRows(db: Database, source?: string): Promise<TableCounts> {
  const [raw] = await db
    .select({ n: count() })
    .from(rawLog)
    .where(source ? eq(rawLog.source, source) : undefined);
  const [clean] = await db
    .select({ n: count() })
    .from(cleanLog)
    .where(source ? eq(cleanLog.source, source) : undefined);
  const [rejected] = await db
    .select({ n: count() })
    .from(rejectedLog)
    .where(source ? eq(rejectedLog.source, source) : undefined);
  return { raw: raw?.n ?? 0, clean: clean?.n ?? 0, rejected: rejected?.n ?? 0 };
}
