/**
 * Both bulk writers skip rows whose event id is already stored (`INSERT IGNORE`, and LOAD DATA
 * LOCAL, which ignores duplicates by itself), and the server reports each skipped row with a
 * duplicate-key warning. Any other warning means a value stored other than it was sent (clamped,
 * cut, refused by a check), so the batch is refused: the caller's transaction rolls back and the
 * batch writer splits the batch to find the message at fault.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';

const DUPLICATE_KEY = 1062;

/** Why a batch was refused: the server's first warning that is not a duplicate key. */
export class RowsRefusedError extends Error {
  /** Not a code of the driver's: `isTransientDatabaseError` sees a refusal, never an outage. */
  readonly code = 'LR_ROWS_REFUSED';
}

/**
 * Throws `RowsRefusedError` unless the statement's only warnings are its `skipped` duplicates and it
 * read all `sent` rows.
 */
export async function refuseUnlessOnlyDuplicates(
  connection: PoolConnection,
  table: string,
  counts: {
    readonly sent: number;
    readonly read: number;
    readonly skipped: number;
    readonly warnings: number;
  },
): Promise<void> {
  if (counts.read === counts.sent && counts.warnings <= counts.skipped) return;
  const [shown] = await connection.query<RowDataPacket[]>('SHOW WARNINGS LIMIT 100');
  const other = shown.find((warning) => warning.Code !== DUPLICATE_KEY) as { Message?: string } | undefined;
  throw new RowsRefusedError(
    `${table}: ${other?.Message ?? `the server read ${counts.read} of ${counts.sent} rows`}`,
  );
}
