/**
 * How many rows the line tables hold, at a cost that does not grow with them: InnoDB's own estimate
 * (information_schema, from its sampled statistics), replaced by an exact COUNT(*) while a table is
 * small enough for that to be cheap. Each size says whether it is exact.
 */
import { sql } from './drizzle.js';
import type { Database } from './database.js';
import { num, select } from './rollup-queries.js';
import { cleanLog, rawLog, rejectedLog } from './schema.js';

export interface TableSize {
  readonly rows: number;
  /** False: InnoDB's estimate, which may be off by tens of per cent. */
  readonly exact: boolean;
}

export interface TableSizes {
  readonly raw: TableSize;
  readonly clean: TableSize;
  readonly rejected: TableSize;
}

/** Below this estimate a table is counted exactly (a COUNT(*) of 100,000 rows takes a few ms). */
export const EXACT_BELOW_ROWS = 100_000;

const TABLES = { raw: rawLog, clean: cleanLog, rejected: rejectedLog } as const;

/** The size of each line table: exact below `exactBelow` estimated rows, InnoDB's estimate above. */
export async function tableSizes(db: Database, exactBelow = EXACT_BELOW_ROWS): Promise<TableSizes> {
  const estimates = await select<{ name: string; n: unknown }>(
    db,
    sql`SELECT table_name AS name, table_rows AS n FROM information_schema.tables
        WHERE table_schema = DATABASE() AND table_name IN ('raw_log', 'clean_log', 'rejected_log')`,
  );
  const estimateOf = new Map(estimates.map((row) => [String(row.name).toLowerCase(), num(row.n)]));
  const sizeOf = async (key: keyof typeof TABLES): Promise<TableSize> => {
    const table = TABLES[key];
    const estimate = estimateOf.get(`${key}_log`) ?? 0;
    if (estimate >= exactBelow) return { rows: estimate, exact: false };
    const [row] = await select<{ n: unknown }>(db, sql`SELECT COUNT(*) AS n FROM ${table}`);
    return { rows: num(row?.n), exact: true };
  };
  const [raw, clean, rejected] = await Promise.all([sizeOf('raw'), sizeOf('clean'), sizeOf('rejected')]);
  return { raw, clean, rejected };
}
