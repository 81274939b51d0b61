/**
 * A private RabbitMQ cluster for a test: nodes of its own names, ports, data and log directories and
 * Erlang cookie, in a temporary directory, never the machine's broker. Every node runs the management
 * API (so that it answers while any node is down); the others join the first by classic peer
 * discovery as they boot (all start at once). A node can be killed (-9), or stopped and started again
 * with its name, ports and data (a rolling restart). `teardown` kills every node (SIGKILL to its
 * process group) and removes the directory; call it in an `after` hook so a failing test leaves
 * nothing behind.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, sleep } from './processes.js';
import {
  exited,
  killAllAndRemove,
  ownedServerDir,
  killGroup,
  logTails,
  waitForPort,
} from './server-processes.js';

const run = promisify(execFile);
/** The server's own scripts: /usr/sbin's wrappers switch to the `rabbitmq` user and its cookie. */
const RABBITMQ_BIN = process.env.TEST_RABBITMQ_BIN ?? '/usr/lib/rabbitmq/bin';

export interface ClusterNode {
  /** `name@localhost`. */
  readonly name: string;
  readonly amqpPort: number;
  /** `127.0.0.1:port`, as RABBIT_HOST lists it. */
  readonly address: string;
  /** kill -9 of the node (its whole process group). */
  kill(): void;
  /** Whether its process runs (false once killed or stopped, until started again). */
  isRunning(): boolean;
  /** A clean stop (SIGTERM, as a service manager sends it); resolves once the node has exited. */
  stop(): Promise<void>;
  /**
   * Starts the node again, killed or stopped, with its name, ports and data directory; resolves once
   * it runs in the cluster again.
   */
  start(): Promise<void>;
}

export interface RabbitCluster {
  readonly nodes: readonly ClusterNode[];
  /** The first node's management API, `http://127.0.0.1:port/`. */
  readonly managementUrl: string;
  /** GET of the management API of the first node that answers, as JSON (guest/guest). */
  api(path: string): Promise<unknown>;
  /** `rabbitmq-queues …args` against the first running node, with the cluster's cookie. */
  queues(...args: string[]): Promise<string>;
  /**
   * Resolves once every node runs in the cluster and every quorum queue has all its members online
   * (what a rolling restart waits for before the next node); throws after `timeoutMs`.
   */
  settled(timeoutMs?: number): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * Starts `count` nodes and resolves once all of them run as one cluster. A node that does not come up
 * (on a loaded machine, a port picked as free can be taken by another test before the node binds it)
 * makes one more try, with new ports and names, before the error, which carries the nodes' log tails.
 */
export async function startRabbitCluster(count: number, timeoutMs = 120_000): Promise<RabbitCluster> {
  try {
    return await startRabbitClusterOnce(count, timeoutMs);
  } catch (error) {
    console.log(`# the cluster did not start (${String(error).split('\n')[0]}); one more try`);
    return startRabbitClusterOnce(count, timeoutMs);
  }
}

async function startRabbitClusterOnce(count: number, timeoutMs: number): Promise<RabbitCluster> {
  const dir = await ownedServerDir('lograbbit-cluster-');
  const prefix = `lrtest${randomBytes(3).toString('hex')}`;
  // The cookie is read from $HOME by the nodes and the CLI tools alike: this directory is their home.
  await writeFile(join(dir, '.erlang.cookie'), randomBytes(16).toString('hex'), { mode: 0o400 });
  const names = Array.from({ length: count }, (_, index) => `${prefix}n${index + 1}@localhost`);
  const managementUrls: string[] = [];
  const children: ChildProcess[] = [];
  /** Each node's process now (a restart replaces it). */
  const current: ChildProcess[] = [];
  const nodes: ClusterNode[] = [];
  const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH ?? '',
    HOME: dir,
    LANG: 'C.UTF-8',
    ...extra,
  });

  const teardown = (): Promise<void> => killAllAndRemove(children, dir);

  const api = async (path: string): Promise<unknown> => {
    let failure: unknown;
    for (const url of managementUrls) {
      try {
        const response = await fetch(new URL(path, url), {
          headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
          signal: AbortSignal.timeout(5000),
        });
        if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
        return await response.json();
      } catch (error) {
        // A node down (or on its way down or up): the next one answers for the cluster.
        failure = error;
      }
    }
    throw failure;
  };
  const running = async (): Promise<string[]> => {
    const list = (await api('api/nodes')) as Array<{ name: string; running?: boolean }>;
    return list.filter((node) => node.running).map((node) => node.name);
  };
  const until = async (what: string, deadline: number, condition: () => Promise<boolean>): Promise<void> => {
    while (!(await condition().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`${what}: not within the time given`);
      await sleep(250);
    }
  };
  /** The node's failure to come up, with the log tails of every node. */
  const failed = async (name: string, error: unknown): Promise<never> => {
    const logDir = join(dir, 'log');
    const logs = (await readdir(logDir).catch(() => [] as string[])).filter((file) => file.endsWith('.log'));
    throw new Error(`${name}: ${String(error)}\n${await logTails(logs.map((file) => join(logDir, file)))}`);
  };

  try {
    const spawns: Array<() => ChildProcess> = [];
    for (const [index, name] of names.entries()) {
      const amqpPort = await freePort();
      const distPort = await freePort();
      const managementPort = await freePort();
      managementUrls.push(`http://127.0.0.1:${managementPort}/`);
      const config = [
        `listeners.tcp.default = 127.0.0.1:${amqpPort}`,
        'loopback_users = none',
        `management.tcp.port = ${managementPort}`,
        'management.tcp.ip = 127.0.0.1',
        // Connections listed within a second of opening (5 s by default): where a client is.
        'collect_statistics_interval = 1000',
        ...(index === 0
          ? []
          : [
              'cluster_formation.peer_discovery_backend = classic_config',
              `cluster_formation.classic_config.nodes.1 = ${names[0]}`,
            ]),
      ];
      await writeFile(join(dir, `node${index + 1}.conf`), `${config.join('\n')}\n`);
      await writeFile(join(dir, `node${index + 1}.plugins`), '[rabbitmq_management].\n');
      const spawnNode = (): ChildProcess => {
        const child = spawn(join(RABBITMQ_BIN, 'rabbitmq-server'), [], {
          env: env({
            RABBITMQ_NODENAME: name,
            RABBITMQ_DIST_PORT: String(distPort),
            RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
            RABBITMQ_LOG_BASE: join(dir, 'log'),
            RABBITMQ_CONFIG_FILE: join(dir, `node${index + 1}.conf`),
            RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, `node${index + 1}.plugins`),
            RABBITMQ_PID_FILE: join(dir, `node${index + 1}.pid`),
          }),
          // A process group of its own, so that a kill reaches the Erlang VM under the start script.
          detached: true,
          stdio: 'ignore',
        });
        children.push(child);
        current[index] = child;
        return child;
      };
      spawns.push(spawnNode);
      const child = (): ChildProcess => current[index] as ChildProcess;
      nodes.push({
        name,
        amqpPort,
        address: `127.0.0.1:${amqpPort}`,
        kill: () => killGroup(child()),
        isRunning: () => child().exitCode === null && child().signalCode === null,
        async stop() {
          // The start script turns SIGTERM into the broker's own clean shutdown.
          child().kill('SIGTERM');
          const stopped = exited(child());
          const timer = setTimeout(() => killGroup(child()), 60_000);
          await stopped.finally(() => clearTimeout(timer));
        },
        async start() {
          const deadline = Date.now() + timeoutMs;
          const started = spawnNode();
          await waitForPort(amqpPort, deadline, started).catch((error: unknown) => failed(name, error));
          await until(`${name} running in the cluster`, deadline, async () =>
            (await running()).includes(name),
          );
        },
      });
    }
    for (const spawnNode of spawns) spawnNode();
    const deadline = Date.now() + timeoutMs;
    for (const [index, node] of nodes.entries()) {
      await waitForPort(node.amqpPort, deadline, current[index]).catch((error: unknown) =>
        failed(node.name, error),
      );
    }
    await until('the cluster formed', deadline, async () => (await running()).length === count).catch(
      (error: unknown) => failed('the cluster', error),
    );
    return {
      nodes,
      managementUrl: managementUrls[0] ?? '',
      api,
      async queues(...args) {
        const up = names.find((_, index) => current[index]?.exitCode === null && !current[index]?.signalCode);
        const { stdout } = await run(join(RABBITMQ_BIN, 'rabbitmq-queues'), ['-n', up ?? '', ...args], {
          env: env({}),
          timeout: 60_000,
        });
        return stdout;
      },
      async settled(settleMs = timeoutMs) {
        await until(
          'every node running, every quorum queue member online',
          Date.now() + settleMs,
          async () => {
            if ((await running()).length !== count) return false;
            const queues = (await api('api/queues')) as Array<{
              type?: string;
              members?: string[];
              online?: string[];
            }>;
            return queues
              .filter((queue) => queue.type === 'quorum')
              .every((queue) => (queue.online ?? []).length === (queue.members ?? []).length);
          },
        );
      },
      teardown,
    };
  } catch (error) {
    await teardown();
    throw error;
  }
}
