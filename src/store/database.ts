/**
 * Opens the database: checks that the server answers (failing fast, with one line naming its
 * address, when it does not), creates the database when it is missing and the user may, applies the
 * pending drizzle migrations and adds the day partitions ahead, and returns a pool (the pool cluster
 * of client.ts for several nodes) with a drizzle handle over it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import type { Pool } from 'mysql2/promise';
import { drizzle } from './drizzle.js';
import type { MySql2Database } from 'drizzle-orm/mysql2';
import { migrate } from './drizzle.js';
import { createClient } from './client.js';
import type { DatabaseClient, DatabaseNode, NodeChange } from './client.js';
import { fillPendingVisitors } from './rollup/visitor-backfill.js';
import { ServiceUnavailableError, UsageError, messageOf } from '../errors.js';
import * as schema from './schema.js';
import { errorCodeOf, isTransientDatabaseError } from './transient.js';
import { ensureDayPartitions } from './partitions.js';

export interface DatabaseEndpoint {
  /** Connect over TLS, verifying the server's certificate (against `tlsCaFile` when given). */
  readonly tls?: boolean;
  readonly tlsCaFile?: string | undefined;
  /** The first node's host and port; the only node's unless `nodes` lists more. */
  readonly host: string;
  readonly port: number;
  /** Every node of a cluster, in the order they are used (client.ts); `host` and `port` alone when absent. */
  readonly nodes?: readonly DatabaseNode[] | undefined;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  /** `host:port/database`, for messages. */
  readonly address: string;
}

/** The drizzle handle, with the pool it runs on (the bulk writers use the pool directly). */
export type Database = MySql2Database<typeof schema> & { readonly $client: DatabaseClient };

/** How rows reach the tables: `load-data` (fast; needs the server's `local_infile`) or `insert`. */
export type WriteMethod = 'load-data' | 'insert';

export interface Store {
  readonly db: Database;
  readonly pool: DatabaseClient;
  readonly endpoint: DatabaseEndpoint;
  /** What the hot path writes with: `load-data` when the server allows it, else `insert`. */
  readonly writeMethod: WriteMethod;
  /** The server's `@@max_allowed_packet`, read at open: no row or statement the writers send is larger. */
  readonly maxAllowedPacket: number;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  readonly timeoutMs: number;
  /** Create the database when missing and apply pending migrations (the default for every command). */
  readonly setup: boolean;
  /** Connections in the pool. */
  readonly connections?: number;
  /** `auto` (the default): `load-data` when the server's `local_infile` is on, else `insert`. */
  readonly writeMethod?: WriteMethod | 'auto';
  /** With several nodes: told when one is left out after a failed connection, and when it is back. */
  readonly onNodeChange?: (change: NodeChange) => void;
}

/** Where the SQL migrations are, from src/store/ as from dist/store/. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** mysql2's `ssl` option: undefined for plain TCP; with TLS the certificate is always verified. */
function tlsOptionsOf(endpoint: DatabaseEndpoint): { ca?: Buffer; rejectUnauthorized: true } | undefined {
  if (!endpoint.tls) return undefined;
  if (endpoint.tlsCaFile === undefined) return { rejectUnauthorized: true };
  try {
    return { ca: readFileSync(endpoint.tlsCaFile), rejectUnauthorized: true };
  } catch (error) {
    throw new UsageError('LR_CONFIG', `DB_TLS_CA: cannot read ${endpoint.tlsCaFile} (${messageOf(error)})`);
  }
}

export async function openStore(endpoint: DatabaseEndpoint, options: OpenStoreOptions): Promise<Store> {
  const ssl = tlsOptionsOf(endpoint);
  const nodes = endpoint.nodes ?? [{ host: endpoint.host, port: endpoint.port }];
  const server = await connectFirstNode(nodes, endpoint, options.timeoutMs, ssl);
  try {
    if (options.setup) await createDatabaseIfMissing(server, endpoint);
  } finally {
    await server.end();
  }
  const pool = createClient(
    nodes,
    {
      user: endpoint.user,
      password: endpoint.password,
      database: endpoint.database,
      connectTimeout: options.timeoutMs,
      ssl,
      connectionLimit: options.connections ?? 4,
      charset: 'UTF8MB4_UNICODE_CI',
      // DATETIME columns hold UTC; without this mysql2 would write Dates in the machine's zone.
      timezone: 'Z',
      // affectedRows then counts rows really inserted: a duplicate's no-op update counts 0, not 1.
      flags: ['-FOUND_ROWS'],
      supportBigNumbers: true,
    },
    options.onNodeChange,
  );
  // drizzle runs on a pool's query, execute and getConnection, all a DatabaseClient has (client.ts).
  const db = drizzle({ client: pool as Pool, schema, mode: 'default' });
  let settings: mysql.RowDataPacket | undefined;
  try {
    if (options.setup) {
      await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
      // The line tables' partitions for the days ahead (partitions.ts), as `prune` and the hourly
      // upkeep of `consume` and `run` add them too.
      await ensureDayPartitions(pool);
      await fillPendingVisitors(pool);
    } else await pool.query('SELECT 1 FROM raw_log LIMIT 0');
    [[settings]] = await pool.query<mysql.RowDataPacket[]>(
      'SELECT @@local_infile AS localInfile, @@max_allowed_packet AS maxAllowedPacket',
    );
  } catch (error) {
    await pool.end();
    const code = errorCodeOf(error);
    if (code === 'ER_NO_SUCH_TABLE' || code === 'ER_BAD_DB_ERROR') {
      const what = code === 'ER_NO_SUCH_TABLE' ? 'has no lograbbit tables' : 'does not exist';
      throw new ServiceUnavailableError(
        'LR_DATABASE_UNAVAILABLE',
        `database ${endpoint.address} ${what}; run \`lograbbit setup\` (or drop --no-setup)`,
      );
    }
    // The server answered the first connection, then went away while it was being set up: an
    // outage at start like a refused connection (exit 3, which a supervisor restarts), not a fault.
    if (isTransientDatabaseError(error)) {
      throw new ServiceUnavailableError(
        'LR_DATABASE_UNAVAILABLE',
        `cannot connect to the database at ${addressesOf(nodes)}: lost while opening it (${messageOf(causeOf(error))}); ${IS_IT_RUNNING}`,
        error,
      );
    }
    throw error;
  }
  // `auto`: LOAD DATA LOCAL when the server takes it (MariaDB does by default, MySQL 8 not).
  const wanted = options.writeMethod ?? 'auto';
  const writeMethod =
    wanted !== 'auto' ? wanted : Number(settings?.localInfile) === 1 ? 'load-data' : 'insert';
  const maxAllowedPacket = Number(settings?.maxAllowedPacket);
  return { db, pool, endpoint, writeMethod, maxAllowedPacket, close: () => pool.end() };
}

/** What an error says when no node answers: the way to start the compose file's database, or one's own. */
const IS_IT_RUNNING = 'is it running? (`docker compose up -d mysql`, or start mariadbd)';

/** The nodes as an error names them: `host:port, host:port`. */
function addressesOf(nodes: readonly DatabaseNode[]): string {
  return nodes.map((each) => `${each.host}:${each.port}`).join(', ');
}

/**
 * A connection to the first of `nodes` that answers, to check the server and create the database:
 * with a cluster, a process starts while a node is down. The error is the last node's.
 */
async function connectFirstNode(
  nodes: readonly DatabaseNode[],
  endpoint: DatabaseEndpoint,
  timeoutMs: number,
  ssl: ReturnType<typeof tlsOptionsOf>,
): Promise<mysql.Connection> {
  // A list is named whole in the error, which the last node's failure gives.
  const where = addressesOf(nodes);
  for (const [index, node] of nodes.entries()) {
    try {
      return await connectServer(node, where, endpoint, timeoutMs, ssl);
    } catch (error) {
      if (index === nodes.length - 1 || (error as ServiceUnavailableError).code === 'LR_DATABASE_REFUSED') {
        throw error;
      }
    }
  }
  throw new Error('no database node to connect to');
}

async function connectServer(
  node: DatabaseNode,
  where: string,
  endpoint: DatabaseEndpoint,
  timeoutMs: number,
  ssl: ReturnType<typeof tlsOptionsOf>,
): Promise<mysql.Connection> {
  try {
    return await mysql.createConnection({
      host: node.host,
      port: node.port,
      user: endpoint.user,
      password: endpoint.password,
      connectTimeout: timeoutMs,
      ssl,
    });
  } catch (error) {
    const code = errorCodeOf(error);
    const refused = code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR';
    const why =
      code === 'ECONNREFUSED'
        ? 'connection refused'
        : code === 'ETIMEDOUT'
          ? `no answer within ${timeoutMs} ms`
          : refused
            ? 'login refused'
            : messageOf(error);
    const hint = refused
      ? 'check DB_USER and DB_PASSWORD (or DATABASE_URL)'
      : code === 'HANDSHAKE_NO_SSL_SUPPORT'
        ? 'the server offers no TLS: enable it there, or unset DB_TLS and DB_TLS_CA'
        : IS_IT_RUNNING;
    throw new ServiceUnavailableError(
      refused ? 'LR_DATABASE_REFUSED' : 'LR_DATABASE_UNAVAILABLE',
      `cannot connect to the database at ${where}: ${why}; ${hint}`,
      error,
    );
  }
}

/** The driver's error under drizzle's "Failed query" wrapping, which names the SQL and not the cause. */
function causeOf(error: unknown): unknown {
  return error instanceof Error && error.cause !== undefined ? error.cause : error;
}

async function createDatabaseIfMissing(server: mysql.Connection, endpoint: DatabaseEndpoint): Promise<void> {
  const [rows] = await server.query<mysql.RowDataPacket[]>(
    'SELECT 1 FROM information_schema.schemata WHERE schema_name = ?',
    [endpoint.database],
  );
  if (rows.length > 0) return;
  try {
    // The name is validated as a plain identifier by the configuration, so quoting it is enough.
    await server.query(
      `CREATE DATABASE \`${endpoint.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } catch (error) {
    throw new ServiceUnavailableError(
      'LR_DATABASE_REFUSED',
      `database ${endpoint.database} does not exist at ${endpoint.host}:${endpoint.port} and cannot be created (${messageOf(error)}); create it, or give DB_USER the right to`,
      error,
    );
  }
}
