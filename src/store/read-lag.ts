/**
 * How far behind its source the node a process reads from is, for the dashboard and `stats` when
 * they read elsewhere than the writers (DB_READ_HOST): a replica's seconds behind its primary, or a
 * Galera node's write sets received and not yet applied.
 */
import type { RowDataPacket } from 'mysql2/promise';
import type { DatabaseClient } from './client.js';

export type ReadLag =
  /** A replica: `secondsBehind` is null while its replication is stopped (then `running` is false). */
  | { readonly kind: 'replica'; readonly secondsBehind: number | null; readonly running: boolean }
  /** A Galera node: write sets of the other nodes waiting to be applied here. */
  | { readonly kind: 'galera'; readonly receiveQueue: number };

/**
 * The lag of the node `pool` reads from; null for a primary or a lone server, and when the user may
 * not see replication (SHOW REPLICA STATUS needs the REPLICATION CLIENT / SLAVE MONITOR privilege).
 */
export async function readLagOf(pool: DatabaseClient): Promise<ReadLag | null> {
  const replica = await replicaStatusOf(pool);
  if (replica) {
    const seconds = replica.Seconds_Behind_Master ?? replica.Seconds_Behind_Source;
    const sqlRunning = replica.Slave_SQL_Running ?? replica.Replica_SQL_Running;
    const ioRunning = replica.Slave_IO_Running ?? replica.Replica_IO_Running;
    return {
      kind: 'replica',
      secondsBehind: seconds === null || seconds === undefined ? null : Number(seconds),
      running: sqlRunning === 'Yes' && ioRunning === 'Yes',
    };
  }
  // @@wsrep_on is MariaDB's (an error on MySQL): on, the node is part of a Galera cluster.
  const [galera] = await pool
    .query<RowDataPacket[]>(
      "SELECT @@wsrep_on AS wsrepOn, (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_LOCAL_RECV_QUEUE') AS receiveQueue",
    )
    .then(([rows]) => rows)
    .catch(() => [] as RowDataPacket[]);
  if (galera && Number(galera.wsrepOn) === 1)
    return { kind: 'galera', receiveQueue: Number(galera.receiveQueue) };
  return null;
}

/** The first row of SHOW REPLICA STATUS (MariaDB 10.5+, MySQL 8.0.22+) or SHOW SLAVE STATUS, if any. */
async function replicaStatusOf(pool: DatabaseClient): Promise<Record<string, unknown> | undefined> {
  for (const statement of ['SHOW REPLICA STATUS', 'SHOW SLAVE STATUS']) {
    try {
      const [rows] = await pool.query<RowDataPacket[]>(statement);
      return rows[0];
    } catch {
      // An older server's syntax, or no privilege to see it: the next statement, then nothing.
    }
  }
  return undefined;
}
