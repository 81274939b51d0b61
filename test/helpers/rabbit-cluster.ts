/**
 * A private RabbitMQ cluster for a test: nodes of its own names, ports, data and log directories and
 * Erlang cookie, in a temporary directory, never the machine's broker. The first node runs the
 * management API; the others join it by classic peer discovery as they boot (all start at once).
 * `teardown` kills every node (SIGKILL to its process group) and removes the directory; call it in
 * an `after` hook so a failing test leaves nothing behind.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, sleep } from './processes.js';
import { killAllAndRemove, killGroup, logTails, waitForPort } from './server-processes.js';

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
}

export interface RabbitCluster {
  readonly nodes: readonly ClusterNode[];
  /** The first node's management API, `http://127.0.0.1:port/`. */
  readonly managementUrl: string;
  /** GET of the management API, as JSON (guest/guest). */
  api(path: string): Promise<unknown>;
  /** `rabbitmq-queues …args` against the first running node, with the cluster's cookie. */
  queues(...args: string[]): Promise<string>;
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
  const dir = await mkdtemp(join(tmpdir(), 'lograbbit-cluster-'));
  const prefix = `lrtest${randomBytes(3).toString('hex')}`;
  // The cookie is read from $HOME by the nodes and the CLI tools alike: this directory is their home.
  await writeFile(join(dir, '.erlang.cookie'), randomBytes(16).toString('hex'), { mode: 0o400 });
  const names = Array.from({ length: count }, (_, index) => `${prefix}n${index + 1}@localhost`);
  const managementPort = await freePort();
  const children: ChildProcess[] = [];
  const nodes: ClusterNode[] = [];
  const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH ?? '',
    HOME: dir,
    LANG: 'C.UTF-8',
    ...extra,
  });

  const teardown = (): Promise<void> => killAllAndRemove(children, dir);

  try {
    for (const [index, name] of names.entries()) {
      const amqpPort = await freePort();
      const distPort = await freePort();
      const first = index === 0;
      const config = [
        `listeners.tcp.default = 127.0.0.1:${amqpPort}`,
        'loopback_users = none',
        ...(first
          ? [`management.tcp.port = ${managementPort}`, 'management.tcp.ip = 127.0.0.1']
          : [
              'cluster_formation.peer_discovery_backend = classic_config',
              `cluster_formation.classic_config.nodes.1 = ${names[0]}`,
            ]),
      ];
      await writeFile(join(dir, `node${index + 1}.conf`), `${config.join('\n')}\n`);
      await writeFile(join(dir, `node${index + 1}.plugins`), first ? '[rabbitmq_management].\n' : '[].\n');
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
      nodes.push({ name, amqpPort, address: `127.0.0.1:${amqpPort}`, kill: () => killGroup(child) });
    }
    const managementUrl = `http://127.0.0.1:${managementPort}/`;
    const api = async (path: string): Promise<unknown> => {
      const response = await fetch(new URL(path, managementUrl), {
        headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
        signal: AbortSignal.timeout(5000),
      });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      return response.json();
    };
    const deadline = Date.now() + timeoutMs;
    for (const [index, node] of nodes.entries()) {
      await waitForPort(node.amqpPort, deadline, children[index]).catch(async (error: unknown) => {
        const logDir = join(dir, 'log');
        const logs = (await readdir(logDir).catch(() => [] as string[])).filter((file) =>
          file.endsWith('.log'),
        );
        throw new Error(
          `${node.name}: ${String(error)}\n${await logTails(logs.map((file) => join(logDir, file)))}`,
        );
      });
    }
    for (;;) {
      const running = await api('api/nodes')
        .then((list) => (list as Array<{ running?: boolean }>).filter((node) => node.running).length)
        .catch(() => 0);
      if (running === count) break;
      if (Date.now() > deadline) throw new Error(`the cluster did not form within ${timeoutMs} ms`);
      await sleep(250);
    }
    return {
      nodes,
      managementUrl,
      api,
      async queues(...args) {
        const { stdout } = await run(join(RABBITMQ_BIN, 'rabbitmq-queues'), ['-n', names[0] ?? '', ...args], {
          env: env({}),
          timeout: 60_000,
        });
        return stdout;
      },
      teardown,
    };
  } catch (error) {
    await teardown();
    throw error;
  }
}
