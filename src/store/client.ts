/**
 * The connections the store runs its SQL on: a mysql2 pool for one database node, mysql2's own pool
 * cluster for several (the nodes of a Galera cluster). Both are handed out behind one narrow surface,
 * `DatabaseClient`, which is what the writers, the upkeep and drizzle use of a pool.
 */
import mysql from 'mysql2/promise';
import type { Pool, PoolOptions } from 'mysql2/promise';

/**
 * What the store uses of a pool: statements on any connection (`query`, `execute`), a connection of
 * its own for a transaction or a LOAD DATA (`getConnection`), and `end`.
 */
export type DatabaseClient = Pick<Pool, 'query' | 'execute' | 'getConnection' | 'end'>;

/** One database node. */
export interface DatabaseNode {
  readonly host: string;
  readonly port: number;
}

/** `host:port`, with an IPv6 address in brackets: the node's name in the cluster and in messages. */
function nodeAddress(node: DatabaseNode): string {
  return `${node.host.includes(':') ? `[${node.host}]` : node.host}:${node.port}`;
}

/**
 * How long a node that refused a connection is left out before it is tried again, in ms. Each try of
 * a node still down costs one failed connection attempt (immediate when refused, up to the connect
 * timeout when the host does not answer), so not much shorter than that.
 */
export const NODE_RETRY_AFTER_MS = 5000;

/** What a pool cluster says of its nodes: one left out after a failed connection, or back. */
export type NodeChange =
  | { readonly node: string; readonly state: 'offline'; readonly error: string | undefined }
  | { readonly node: string; readonly state: 'online' };

/**
 * A pool over `nodes` with `options` (everything but the host and port). With several nodes, a pool
 * cluster that uses the first node that answers ('ORDER'): every writer on the same node, so that
 * Galera has no conflicts between them to resolve, and on the next one as soon as a connection to
 * it fails. A failed node is tried again after `NODE_RETRY_AFTER_MS`; the writers go back to it once
 * it answers, since it is first.
 */
export function createClient(
  nodes: readonly DatabaseNode[],
  options: PoolOptions,
  onNodeChange?: (change: NodeChange) => void,
): DatabaseClient {
  const [only, ...others] = nodes;
  if (only === undefined) throw new Error('no database node to connect to');
  if (others.length === 0) return mysql.createPool({ ...options, host: only.host, port: only.port });
  const cluster = mysql.createPoolCluster({
    defaultSelector: 'ORDER',
    // One refused connection takes a node out at once (the default 5 would try a dead node five
    // times, each up to the connect timeout, before the next), and brings it back later.
    removeNodeErrorCount: 1,
    restoreNodeTimeout: NODE_RETRY_AFTER_MS,
    canRetry: true,
  });
  for (const node of nodes) cluster.add(nodeAddress(node), { ...options, host: node.host, port: node.port });
  // The cluster leaves a node out, then says why ('warn', in the same tick, when it tries the next
  // node), and leaves it out again at each failed retry: each change is told once, with its error.
  let lastError: string | undefined;
  const offline = new Set<string>();
  cluster.on('warn', (error: Error) => (lastError = error.message));
  cluster.on('offline', (node: string) => {
    if (offline.has(node)) return;
    offline.add(node);
    lastError = undefined;
    queueMicrotask(() => onNodeChange?.({ node, state: 'offline', error: lastError }));
  });
  cluster.on('online', (node: string) => {
    if (offline.delete(node)) onNodeChange?.({ node, state: 'online' });
  });
  // The cluster's namespace has the pool's query, execute and getConnection (drizzle tells a pool
  // from a connection by getConnection); `end` is the cluster's.
  return Object.assign(cluster.of('*', 'ORDER'), { end: () => cluster.end() });
}
