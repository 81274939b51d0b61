/**
 * The day partitions of the line tables, kept ahead of time and dropped when old (see
 * partition-days.ts for their layout). Every change is one `ALTER TABLE` on partitions that are empty
 * or whole: splitting the empty catch-all into new days, dropping or truncating a day. None of them
 * reads the rows of the days it keeps, so the cost does not grow with the table.
 *
 * Two processes may do this at once (a `prune` and a `consume`): a named lock per database makes
 * them take turns.
 */
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { DatabaseClient } from './client.js';
import {
  CATCH_ALL_PARTITION,
  UNTIMED_DAY,
  addDays,
  dayOfPartition,
  dayPartitionClause,
  daysToAdd,
  partitionsBefore,
  utcDayOf,
} from './partition-days.js';
import type { PartitionInfo } from './partition-days.js';

/** A line table and the column it is partitioned by. */
export interface LineTable {
  readonly name: 'raw_log' | 'clean_log' | 'rejected_log';
  /** `day` (DATE) or, for clean_log, `ts` (DATETIME, by its UTC day). */
  readonly column: 'day' | 'ts';
  /** Whether it holds lines without a time (in p_untimed). */
  readonly untimed: boolean;
}

export const LINE_TABLES: readonly LineTable[] = [
  { name: 'raw_log', column: 'day', untimed: true },
  { name: 'clean_log', column: 'ts', untimed: false },
  { name: 'rejected_log', column: 'day', untimed: true },
];

/** Days of partitions kept ready past today: a week of `consume` runs without `setup`. */
export const DAYS_AHEAD = 7;

/** How long a process waits for another to finish with the partitions, in seconds. */
const LOCK_WAIT_S = 600;

/** The partitions of `table`, in order, with their estimated rows. */
export async function readPartitions(
  pool: DatabaseClient | PoolConnection,
  table: string,
): Promise<PartitionInfo[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT PARTITION_NAME AS name, TABLE_ROWS AS \`rows\` FROM information_schema.PARTITIONS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND PARTITION_NAME IS NOT NULL
      ORDER BY PARTITION_ORDINAL_POSITION`,
    [table],
  );
  return rows.map((row) => ({ name: String(row.name), rows: Number(row.rows ?? 0) }));
}

/** Runs `work` on one connection while holding this database's partition lock. */
export async function withPartitionLock<T>(
  pool: DatabaseClient,
  work: (connection: PoolConnection) => Promise<T>,
): Promise<T> {
  const connection = await pool.getConnection();
  try {
    // Lock names are server-wide and at most 64 characters in MySQL: one per database, hashed.
    const [locked] = await connection.query<RowDataPacket[]>(
      "SELECT GET_LOCK(CONCAT('lograbbit.partitions.', LEFT(MD5(DATABASE()), 16)), ?) AS got",
      [LOCK_WAIT_S],
    );
    if (Number(locked[0]?.got) !== 1) {
      throw new Error(`another lograbbit process held the partitions of this database for ${LOCK_WAIT_S} s`);
    }
    try {
      return await work(connection);
    } finally {
      await connection.query(
        "SELECT RELEASE_LOCK(CONCAT('lograbbit.partitions.', LEFT(MD5(DATABASE()), 16)))",
      );
    }
  } finally {
    connection.release();
  }
}

/** The days added to one table. */
export interface PartitionsAdded {
  readonly table: string;
  readonly days: readonly string[];
}

/**
 * Makes sure every line table has a partition for each day up to `now + daysAhead`, by splitting
 * the catch-all (cheap while it is empty, which it is unless lines came from beyond the last day).
 * The first time, on a table with no day partitions yet, the days start a month back, or at the
 * oldest line already stored (the rows a migration put in the catch-all are then copied once).
 */
export async function ensureDayPartitions(
  pool: DatabaseClient,
  now: Date = new Date(),
  daysAhead: number = DAYS_AHEAD,
): Promise<PartitionsAdded[]> {
  return withPartitionLock(pool, async (connection) => {
    const added: PartitionsAdded[] = [];
    const today = utcDayOf(now);
    for (const table of LINE_TABLES) {
      const partitions = await readPartitions(connection, table.name);
      if (!partitions.some((partition) => partition.name === CATCH_ALL_PARTITION)) {
        throw new Error(`${table.name} is not partitioned by day: run \`lograbbit setup\` to migrate it`);
      }
      const days = partitions
        .map((partition) => dayOfPartition(partition.name))
        .filter((day) => day !== null);
      const lastDay = days.length === 0 ? null : (days.sort().at(-1) ?? null);
      const oldest = lastDay === null ? await oldestDayIn(connection, table) : null;
      const toAdd = daysToAdd(lastDay, today, daysAhead, oldest);
      if (toAdd.length === 0) continue;
      await connection.query(
        `ALTER TABLE \`${table.name}\` REORGANIZE PARTITION \`${CATCH_ALL_PARTITION}\` INTO (` +
          `${toAdd.map(dayPartitionClause).join(', ')}, ` +
          `PARTITION \`${CATCH_ALL_PARTITION}\` VALUES LESS THAN (MAXVALUE))`,
      );
      added.push({ table: table.name, days: toAdd });
    }
    return added;
  });
}

/** The oldest day of a timed line in `table` (only the catch-all holds any when this is asked). */
async function oldestDayIn(connection: PoolConnection, table: LineTable): Promise<string | null> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT DATE_FORMAT(MIN(\`${table.column}\`), '%Y-%m-%d') AS day FROM \`${table.name}\`
      WHERE \`${table.column}\` >= ?`,
    [addDays(UNTIMED_DAY, 1)],
  );
  const day: unknown = rows[0]?.day;
  return typeof day === 'string' ? day : null;
}

/** What dropping the days before a horizon did (or would do) to one table. */
export interface DaysDropped {
  readonly table: string;
  /** The days whose partitions were dropped or emptied, oldest first. */
  readonly days: readonly string[];
  /** Their rows, as the server estimates them. */
  readonly rowsEstimate: number;
  /** Rows older than the horizon deleted one by one from the lowest day kept (see below). */
  readonly olderRowsDeleted: number;
}

/** Rows deleted per statement, where rows are deleted rather than dropped with their partition. */
export const DELETE_CHUNK_ROWS = 5000;

/**
 * Empties every day before `firstDayKept` in each line table. The partitions of those days are
 * dropped, but for the newest of them, which is truncated and kept: as the lowest partition it holds
 * everything below `firstDayKept`, so a late line older than the horizon (a writer that has not yet
 * seen it) lands there, and the next prune empties it in constant time too.
 *
 * When no day partition is old enough (a horizon further back than the first day partition, which
 * holds older lines too), the older rows of the lowest partition are deleted in chunks instead: a
 * cost that grows with that one partition, met only while the history is shorter than the horizon.
 */
export async function dropDaysBefore(
  pool: DatabaseClient,
  firstDayKept: string,
  options: { readonly dryRun?: boolean } = {},
): Promise<DaysDropped[]> {
  return withPartitionLock(pool, async (connection) => {
    const results: DaysDropped[] = [];
    for (const table of LINE_TABLES) {
      const old = partitionsBefore(await readPartitions(connection, table.name), firstDayKept);
      if (old.length > 0) {
        // Statistics only, no row changes (so a dry run too). Estimates of partitions written since the statistics were last taken read 0.
        await connection.query(
          `ALTER TABLE \`${table.name}\` ANALYZE PARTITION ${old.map((partition) => `\`${partition.name}\``).join(', ')}`,
        );
      }
      const estimated = old.length > 0 ? await readPartitions(connection, table.name) : [];
      const rowsEstimate = estimated
        .filter((partition) => old.some((each) => each.name === partition.name))
        .reduce((sum, partition) => sum + partition.rows, 0);
      let olderRowsDeleted = 0;
      if (!options.dryRun) {
        const floor = old.at(-1);
        const dropped = old.slice(0, -1);
        if (dropped.length > 0) {
          await connection.query(
            `ALTER TABLE \`${table.name}\` DROP PARTITION ${dropped.map((partition) => `\`${partition.name}\``).join(', ')}`,
          );
        }
        if (floor !== undefined) {
          await connection.query(`ALTER TABLE \`${table.name}\` TRUNCATE PARTITION \`${floor.name}\``);
        } else {
          olderRowsDeleted = await deleteInChunks(
            connection,
            `DELETE FROM \`${table.name}\` WHERE \`${table.column}\` >= ? AND \`${table.column}\` < ? LIMIT ${DELETE_CHUNK_ROWS}`,
            [addDays(UNTIMED_DAY, 1), firstDayKept],
          );
        }
      }
      results.push({
        table: table.name,
        days: old.map((partition) => partition.day),
        rowsEstimate,
        olderRowsDeleted,
      });
    }
    return results;
  });
}

/**
 * Deletes the untimed lines received before `receivedBefore`, in chunks (they have no day to drop):
 * returns how many per table. `dryRun` counts them instead.
 */
export async function deleteUntimedBefore(
  pool: DatabaseClient,
  receivedBefore: Date,
  options: { readonly dryRun?: boolean } = {},
): Promise<Array<{ readonly table: string; readonly rows: number }>> {
  const results: Array<{ table: string; rows: number }> = [];
  for (const table of LINE_TABLES.filter((each) => each.untimed)) {
    const where = `\`day\` = ? AND \`received_at\` < ?`;
    const values = [UNTIMED_DAY, receivedBefore];
    if (options.dryRun) {
      const [rows] = await pool.query<RowDataPacket[]>(
        `SELECT COUNT(*) AS n FROM \`${table.name}\` WHERE ${where}`,
        values,
      );
      results.push({ table: table.name, rows: Number(rows[0]?.n ?? 0) });
      continue;
    }
    const connection = await pool.getConnection();
    try {
      const rows = await deleteInChunks(
        connection,
        `DELETE FROM \`${table.name}\` WHERE ${where} LIMIT ${DELETE_CHUNK_ROWS}`,
        values,
      );
      results.push({ table: table.name, rows });
    } finally {
      connection.release();
    }
  }
  return results;
}

/** Runs a `DELETE … LIMIT` until it deletes fewer rows than its limit; each chunk commits alone. */
async function deleteInChunks(
  connection: PoolConnection,
  statement: string,
  values: unknown[],
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const [result] = await connection.query<ResultSetHeader>(statement, values);
    deleted += result.affectedRows;
    if (result.affectedRows < DELETE_CHUNK_ROWS) return deleted;
  }
}
