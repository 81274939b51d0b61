/**
 * A private MariaDB Galera cluster for a test: `mariadbd` processes with ports, data directories,
 * sockets and configuration files of their own, in a temporary directory, never the machine's
 * MariaDB (each reads only its own `--defaults-file`). The first node bootstraps the cluster from a
 * data directory made by `mariadb-install-db`; the others join it and receive its data by rsync
 * (SST). `teardown` kills every node (SIGKILL to its process group) and removes the directory; call
 * it in an `after` hook so a failing test leaves nothing behind.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { freePort, sleep } from './processes.js';
import { killAllAndRemove, ownedServerDir, killGroup, logTails, waitForPort } from './server-processes.js';

const run = promisify(execFile);
const MARIADBD = process.env.TEST_MARIADBD ?? '/usr/sbin/mariadbd';
const GALERA_PROVIDER = process.env.TEST_GALERA_PROVIDER ?? '/usr/lib/galera/libgalera_smm.so';
/** How long a test's read of a node's status may take before it fails instead of waiting on. */
export const STATUS_TIMEOUT_MS = 20_000;

export interface GaleraNode {
  /** Its SQL port on 127.0.0.1. */
  readonly port: number;
  /** `127.0.0.1:port`, as DB_HOST lists it. */
  readonly address: string;
  /** kill -9 of the node (its process group: the server and an SST script it may be running). */
  kill(): void;
}

export interface GaleraCluster {
  readonly nodes: readonly GaleraNode[];
  /** A root connection to node `index`, reading what the cluster has committed (wsrep_sync_wait). */
  connect(index: number, database?: string): Promise<mysql.Connection>;
  /** `SHOW GLOBAL STATUS` values of node `index` whose names start with `wsrep_`, read at once. */
  wsrepStatus(index: number): Promise<Record<string, string>>;
  /** Whether each node's process runs, and the last lines of its error log: why a node went away. */
  state(): Promise<string>;
  teardown(): Promise<void>;
}

/**
 * Starts `count` nodes and resolves once every one is synced in a cluster of `count`. A node that
 * does not come up (a port picked as free taken by another test meanwhile) makes one more try, with
 * new ports and a new directory, before the error, which carries the nodes' log tails.
 */
export async function startGaleraCluster(count: number, timeoutMs = 120_000): Promise<GaleraCluster> {
  try {
    return await startGaleraClusterOnce(count, timeoutMs);
  } catch (error) {
    console.log(`# the Galera cluster did not start (${String(error).split('\n')[0]}); one more try`);
    return startGaleraClusterOnce(count, timeoutMs);
  }
}

interface NodePorts {
  readonly sql: number;
  readonly group: number;
  readonly ist: number;
  readonly sst: number;
}

async function startGaleraClusterOnce(count: number, timeoutMs: number): Promise<GaleraCluster> {
  const dir = await ownedServerDir('lograbbit-galera-');
  // Run as root, the joiner's rsync daemon (SST) drops to `nobody`: it must reach the data directories.
  await chmod(dir, 0o711);
  const ports: NodePorts[] = [];
  for (let index = 0; index < count; index++) {
    ports.push({
      sql: await freePort(),
      group: await freePort(),
      ist: await freePort(),
      sst: await freePort(),
    });
  }
  const members = ports.map((each) => `127.0.0.1:${each.group}`).join(',');
  const files = ports.map((_, index) => ({
    config: join(dir, `node${index + 1}.cnf`),
    data: join(dir, `data${index + 1}`),
    log: join(dir, `node${index + 1}.err`),
  }));
  const children: ChildProcess[] = [];
  const teardown = (): Promise<void> => killAllAndRemove(children, dir);

  try {
    for (const [index, each] of ports.entries()) {
      const { config, data, log } = files[index] as (typeof files)[number];
      await writeFile(config, nodeConfig(index, each, { data, log, dir, members }));
    }
    await run(
      'mariadb-install-db',
      [
        `--defaults-file=${files[0]?.config}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--wsrep-on=OFF',
      ],
      { timeout: 60_000 },
    );
    // The joiners' data come from the first node (SST), written by the rsync daemon as `nobody`.
    for (const { data } of files.slice(1)) {
      await mkdir(data, { mode: 0o700 });
      if (process.getuid?.() === 0) await run('chown', ['nobody', data]);
    }
    const start = (index: number): void => {
      const args = [
        `--defaults-file=${files[index]?.config}`,
        ...(index === 0 ? ['--wsrep-new-cluster'] : []),
      ];
      // A process group of its own, so that a kill reaches the SST scripts it runs too.
      children.push(spawn(MARIADBD, args, { detached: true, stdio: 'ignore' }));
    };
    const deadline = Date.now() + timeoutMs;
    const failed = async (index: number, error: unknown): Promise<never> => {
      throw new Error(
        `Galera node ${index + 1}: ${String(error)}\n${await logTails(files.map((f) => f.log))}`,
      );
    };
    start(0);
    await waitForSynced(ports[0]?.sql ?? 0, 1, deadline, children[0]).catch((error: unknown) =>
      failed(0, error),
    );
    for (let index = 1; index < count; index++) start(index);
    for (let index = 1; index < count; index++) {
      await waitForSynced(ports[index]?.sql ?? 0, count, deadline, children[index]).catch((error: unknown) =>
        failed(index, error),
      );
    }
    const connect = async (index: number, database?: string): Promise<mysql.Connection> => {
      const connection = await mysql.createConnection({
        host: '127.0.0.1',
        port: ports[index]?.sql,
        user: 'root',
        database,
        timezone: 'Z',
        dateStrings: true,
        supportBigNumbers: true,
      });
      // Reads wait until the node has applied what the cluster committed before them.
      await connection.query('SET SESSION wsrep_sync_wait = 1');
      return connection;
    };
    return {
      nodes: ports.map((each, index) => ({
        port: each.sql,
        address: `127.0.0.1:${each.sql}`,
        kill: () => killGroup(children[index] as ChildProcess),
      })),
      connect,
      async wsrepStatus(index) {
        const connection = await connect(index);
        try {
          // Now, not once the node has caught up with the cluster (which may be holding commits).
          await connection.query('SET SESSION wsrep_sync_wait = 0');
          const [rows] = await connection.query<RowDataPacket[]>({
            sql: "SHOW GLOBAL STATUS LIKE 'wsrep\\_%'",
            // A node may hold SHOW STATUS while its cluster changes (MDEV-11312): fail, naming it.
            timeout: STATUS_TIMEOUT_MS,
          });
          return Object.fromEntries(rows.map((row) => [String(row.Variable_name), String(row.Value)]));
        } catch (error) {
          throw new Error(`Galera node ${index + 1}: SHOW GLOBAL STATUS: ${String(error)}`, { cause: error });
        } finally {
          // Not end(): it waits for the server's answer to QUIT, which a held node may never send.
          connection.destroy();
        }
      },
      async state() {
        const running = children.map((child, index) => {
          const exit = child.exitCode ?? child.signalCode;
          return `node${index + 1}: ${exit === null ? 'running' : `exited (${exit})`}`;
        });
        return `--- galera\n${running.join(', ')}\n${await logTails(
          files.map((f) => f.log),
          8,
        )}`;
      },
      teardown,
    };
  } catch (error) {
    await teardown();
    throw error;
  }
}

/** The configuration of node `index`: Galera's required settings, its own ports and files. */
function nodeConfig(
  index: number,
  ports: NodePorts,
  paths: { readonly data: string; readonly log: string; readonly dir: string; readonly members: string },
): string {
  const name = `node${index + 1}`;
  return `${[
    '[mariadbd]',
    `datadir=${paths.data}`,
    // Its own tmpdir: a server starting up deletes every `#sql*` file in its tmpdir, and in /tmp
    // those are the machine's own MariaDB's temporary tables, in use (a query of it then fails).
    `tmpdir=${paths.dir}`,
    `socket=${join(paths.dir, `${name}.sock`)}`,
    `pid-file=${join(paths.dir, `${name}.pid`)}`,
    `log-error=${paths.log}`,
    `port=${ports.sql}`,
    'bind-address=127.0.0.1',
    'user=root',
    'skip-name-resolve',
    'character-set-server=utf8mb4',
    'collation-server=utf8mb4_general_ci',
    'local_infile=ON',
    // Small, for a test on a shared machine; durability comes from the other nodes.
    'innodb_buffer_pool_size=64M',
    'innodb_log_file_size=16M',
    'innodb_flush_log_at_trx_commit=2',
    // What Galera requires.
    'binlog_format=ROW',
    'innodb_autoinc_lock_mode=2',
    'wsrep_on=ON',
    `wsrep_provider=${GALERA_PROVIDER}`,
    'wsrep_cluster_name=lograbbit_test',
    `wsrep_cluster_address=gcomm://${paths.members}`,
    `wsrep_node_address=127.0.0.1:${ports.group}`,
    `wsrep_node_name=${name}`,
    'wsrep_sst_method=rsync',
    `wsrep_sst_receive_address=127.0.0.1:${ports.sst}`,
    // Galera's own eviction timeouts (evs.suspect_timeout 5 s, evs.inactive_timeout 15 s): the nodes
    // left hold every commit until they evict a dead one, so 2 s and 4 s made the kill scenario
    // shorter, but also evicted a node that a loaded machine only starved of CPU for a few seconds,
    // which may be what took a node and the test's connections down in a CI run (not proven: that
    // run kept no node logs; `logTails` now goes into the test's failure messages).
    `wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:${ports.group};ist.recv_addr=127.0.0.1:${ports.ist};gcache.size=32M"`,
  ].join('\n')}\n`;
}

/** Resolves once the node on `port` is synced (wsrep_ready) in a cluster of at least `size` nodes. */
async function waitForSynced(
  port: number,
  size: number,
  deadline: number,
  child?: ChildProcess,
): Promise<void> {
  await waitForPort(port, deadline, child);
  for (;;) {
    if (child !== undefined && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`the node exited (${child.exitCode ?? child.signalCode}) before it was synced`);
    }
    const status = await mysql
      .createConnection({ host: '127.0.0.1', port, user: 'root' })
      .then(async (connection) => {
        try {
          const [rows] = await connection.query<RowDataPacket[]>(
            "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_cluster_size')",
          );
          return Object.fromEntries(rows.map((row) => [String(row.Variable_name), String(row.Value)]));
        } finally {
          await connection.end();
        }
      })
      .catch((): Record<string, string> => ({}));
    if (status.wsrep_ready === 'ON' && Number(status.wsrep_cluster_size) >= size) return;
    if (Date.now() > deadline)
      throw new Error(`port ${port}: not synced in time (${JSON.stringify(status)})`);
    await sleep(250);
  }
}
