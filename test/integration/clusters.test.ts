/**
 * Real clusters, private to this file and started once, in parallel: 3 RabbitMQ nodes
 * (test/helpers/rabbit-cluster.ts) and 3 MariaDB Galera nodes (test/helpers/galera-cluster.ts).
 * Under real producer and consumer processes, with lines flowing through every fault, each scenario
 * ends in the exact-once check of the rows and the rollups: kill -9 of the broker node the clients
 * use; kill -9 of a queue leader the clients do not use; a rolling restart of the three broker nodes;
 * kill -9 of the database node the writers use; two consumers on different broker and database nodes
 * at once (Galera's certification conflicts between them). A killed broker node is started again
 * while lines flow, so that the next scenario has three. The scenarios run in this order: each
 * leaves the clusters as the next one expects.
 */
import { after, before, test as nodeTest } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { runCli, waitFor } from '../helpers/cli.js';
import { loggedAt, startFlow } from '../helpers/cluster-flow.js';
import type { Flow, FlowOptions } from '../helpers/cluster-flow.js';
import { STATUS_TIMEOUT_MS, startGaleraCluster } from '../helpers/galera-cluster.js';
import type { GaleraCluster } from '../helpers/galera-cluster.js';
import { freePort, killStarted, startLograbbit } from '../helpers/processes.js';
import type { LongRunning } from '../helpers/processes.js';
import { startRabbitCluster } from '../helpers/rabbit-cluster.js';
import type { ClusterNode, RabbitCluster } from '../helpers/rabbit-cluster.js';
import { createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { assertExactlyOnce, rawRowCount } from '../helpers/stored-lines.js';

/**
 * Backstops far above what a scenario takes (20 s to 2 min here), whose waits have shorter limits of
 * their own: a scenario that hangs anyway fails and lets the next ones run, instead of holding the
 * file until CI's own limit stops the whole run.
 */
const SCENARIO = { timeout: 8 * 60_000 };
/** Each cluster gets two tries of 2 minutes (the helpers). */
const STARTING = { timeout: 6 * 60_000 };

/** Every test of this file has the backstop. */
function test(name: string, body: (t: TestContext) => Promise<void>): void {
  nodeTest(name, SCENARIO, body);
}

/** The Galera node every read of the test goes to: never killed. */
const READ_NODE = 2;
const RENEWED = 'publishing on a new one';
const RESTORED = 'RabbitMQ connection restored';

let rabbit: RabbitCluster | undefined;
let galera: GaleraCluster | undefined;
let local: TestServices | undefined;
/** This file's database on the Galera cluster, its vhost `/` on the RabbitMQ cluster. */
let services: TestServices | undefined;
let dir: string | undefined;
/** Lines stored per source by the scenarios so far: what the reads of the last test must see. */
const stored = new Map<string, number>();
/** When the file began, to say how long it took with its clusters (the suite's budget counts it). */
const fileStarted = performance.now();

before(async () => {
  const timed = async <T>(what: string, starting: Promise<T>): Promise<T> => {
    const cluster = await starting;
    console.log(`# ${what} in ${Math.round(performance.now() - fileStarted)} ms`);
    return cluster;
  };
  [rabbit, galera, local, dir] = await Promise.all([
    timed('RabbitMQ cluster of 3 nodes formed', startRabbitCluster(3)),
    timed('Galera cluster of 3 nodes synced', startGaleraCluster(3)),
    createTestServices('clusters', { vhost: false }),
    mkdtemp(join(tmpdir(), 'lograbbit-clusters-')),
  ]);
  const { database } = local;
  const cluster = galera;
  let reads: Promise<mysql.Connection> | undefined;
  services = {
    ...local,
    env: {
      ...local.env,
      RABBIT_HOST: rabbitHosts([0, 1, 2]),
      RABBIT_VHOST: '/',
      RABBIT_MANAGEMENT_URL: rabbit.managementUrl,
      DB_HOST: dbHosts([0, 1, 2]),
      DB_PORT: '3306',
    },
    sql: () => (reads ??= cluster.connect(READ_NODE, database)),
    // Not end(), and not awaited: a node that holds a query would hold the teardown with it, and
    // the nodes are killed next, which closes any connection still open.
    teardown: () => {
      void reads?.then(
        (connection) => connection.destroy(),
        () => undefined,
      );
      return Promise.resolve();
    },
  };
}, STARTING);

after(async () => {
  await killStarted();
  await services?.teardown();
  await Promise.all([rabbit?.teardown(), galera?.teardown()]);
  await local?.teardown();
  if (dir) await rm(dir, { recursive: true, force: true });
  console.log(
    `# the file, clusters started and removed, in ${Math.round(performance.now() - fileStarted)} ms`,
  );
});

/** RABBIT_HOST listing the broker nodes `order`. */
function rabbitHosts(order: readonly number[]): string {
  return order.map((index) => rabbit?.nodes[index]?.address).join(',');
}

/** DB_HOST listing the Galera nodes `order`. */
function dbHosts(order: readonly number[]): string {
  return order.map((index) => galera?.nodes[index]?.address).join(',');
}

interface SetupReport {
  readonly runningNodes: string[];
  readonly placement: Array<{ queue: string; members: string[]; leader: string }>;
}

test('setup on the formed clusters: leaders on three nodes; a queue short of members is named with its grow command', async () => {
  assert.ok(rabbit && services);
  const started = performance.now();
  const setup = await runCli(['setup', '--json'], { env: services.env });
  assert.equal(setup.code, 0, setup.stderr);
  console.log(`# setup (queues, database, migrations) in ${Math.round(performance.now() - started)} ms`);
  const report = JSON.parse(setup.stdout) as SetupReport;
  assert.equal(report.runningNodes.length, 3);
  for (const placement of report.placement) assert.equal(placement.members.length, 3, placement.queue);
  assert.equal(new Set(report.placement.map((placement) => placement.leader)).size, 3, 'one leader per node');

  // A queue that lost a member (a node replaced): setup says so, and its command puts it back.
  const cluster = rabbit;
  const lacking = cluster.nodes[2]?.name ?? '';
  await cluster.queues('delete_member', 'data-dead', lacking);
  // setup reads a quorum queue's members from the management API, which shows them as the queue's
  // last statistics tick reported them: seconds after a change on a quiet machine, over a minute on
  // a loaded one. setup changes nothing here, so it runs again until it sees the loss.
  const warnOnly = { ...services.env, LOG_LEVEL: 'warn' };
  let warning: string | undefined;
  let said = '';
  await waitFor(
    'setup to name data-dead as short of a member',
    async () => {
      const again = await runCli(['setup'], { env: warnOnly });
      assert.equal(again.code, 0, again.stderr);
      said = again.stderr;
      warning = said.split('\n').find((line) => line.includes('fewer members than the cluster'));
      return warning !== undefined;
    },
    180_000,
  ).catch((error: unknown) => assert.fail(`${String(error)}; setup's last stderr: ${said}`));
  assert.ok(warning);
  const { grow } = JSON.parse(warning) as { grow: string[] };
  assert.equal(grow.length, 1);
  const words = (grow[0] ?? '').split(' ').map((word) => word.replace(/^'|'$/g, ''));
  assert.deepEqual(words.slice(0, 4), ['rabbitmq-queues', 'grow', lacking, 'all']);
  await cluster.queues(...words.slice(1));
  await waitFor(
    'data-dead grown back to three members',
    async () =>
      ((await cluster.api('api/queues/%2F/data-dead')) as { members: string[] }).members.length === 3,
    180_000,
  );
});

test('kill -9 of the broker node the producer and consumer use: both move on by themselves, every line once', async (t) => {
  assert.ok(rabbit && services && dir);
  const metricsPort = await freePort();
  const flow = await startedFlow(t, {
    source: 'broker-kill',
    consumerOptions: ['--metrics-port', String(metricsPort)],
  });
  const victim = rabbit.nodes[0] as ClusterNode;
  startAgainAfter(t, victim);
  await assertClientsOn(flow, victim, 'the first node listed');
  const killedAt = Date.now();
  victim.kill();
  console.log(
    `# broker-kill: a line written after the kill stored ${await flow.flowingAgain(killedAt)} ms after it`,
  );
  const [consumer] = flow.consumers as [LongRunning];
  for (const [name, process] of [
    ['producer', flow.producer],
    ['consumer', consumer],
  ] as const) {
    // A producer with nothing to publish at the time may reconnect later: wait for its word.
    await flow
      .until(
        `the ${name} says its connection is restored`,
        () => loggedAt(process, RESTORED) !== undefined,
        30_000,
      )
      .catch((error: unknown) => assert.fail(`${String(error)}; its log: ${process.stderr()}`));
    console.log(
      `# broker-kill: ${name} connection restored ${(loggedAt(process, RESTORED) ?? NaN) - killedAt} ms after the kill`,
    );
  }
  // A producer whose new channel the broker kept refusing publishes on another (publisher.ts): say
  // how often, since a run where it happened is one that stalled before.
  const renewals = flow.producer
    .stderr()
    .split('\n')
    .filter((line) => line.includes(RENEWED)).length;
  console.log(`# broker-kill: the producer opened a new channel after refusals ${renewals} times`);
  // Ready again, on another node: its checks (the broker's queues among them) answer from there.
  let readiness = '';
  await flow
    .until(
      'the consumer ready again, on another node',
      async () => {
        const answer = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
        readiness = `${answer.status} ${await answer.text()}`;
        return answer.status === 200;
      },
      30_000,
    )
    .catch((error: unknown) => assert.fail(`${String(error)}; last /readyz: ${readiness}`));
  await restartWhileFlowing(flow, victim);
  await finishExactlyOnce(flow);
});

test('kill -9 of a queue leader the clients do not use: a new leader takes over, every line once', async (t) => {
  assert.ok(rabbit && services && dir);
  const leaderOf = async (queue: string): Promise<string> =>
    ((await rabbit!.api(`api/queues/%2F/${queue}`)) as { leader: string }).leader;
  const lakeLeader = await leaderOf('data-lake');
  const cleanLeader = await leaderOf('data-clean');
  const victimIndex = rabbit.nodes.findIndex((node) => node.name === lakeLeader);
  const victim = rabbit.nodes[victimIndex] as ClusterNode;
  assert.ok(victimIndex >= 0, `data-lake's leader ${lakeLeader} is one of the nodes`);
  startAgainAfter(t, victim);
  // The clients on a node that leads neither queue when there is one; the leader last in their list.
  const others = [0, 1, 2].filter((index) => index !== victimIndex);
  others.sort(
    (a, b) => Number(rabbit!.nodes[a]?.name === cleanLeader) - Number(rabbit!.nodes[b]?.name === cleanLeader),
  );
  const clientsOn = rabbit.nodes[others[0] as number] as ClusterNode;
  const hosts = { RABBIT_HOST: rabbitHosts([...others, victimIndex]) };
  const flow = await startedFlow(t, {
    source: 'leader-kill',
    producerEnv: hosts,
    consumerEnvs: [hosts],
  });
  await assertClientsOn(flow, clientsOn, "a node other than data-lake's leader");
  const killedAt = Date.now();
  victim.kill();
  const elected = (async () => {
    await flow.until(
      'new leaders for the queues the killed node led',
      async () =>
        (await leaderOf('data-lake')) !== victim.name && (await leaderOf('data-clean')) !== victim.name,
      60_000,
    );
    return Date.now() - killedAt;
  })();
  elected.catch(() => undefined); // awaited below
  const flowing = await flow.flowingAgain(killedAt);
  console.log(
    `# leader-kill: ${cleanLeader === lakeLeader ? 'the leader of data-lake and data-clean' : "data-lake's leader"} killed;` +
      ` new leaders seen ${await elected} ms after, a line written after the kill stored ${flowing} ms after it`,
  );
  const moved = [flow.producer, ...flow.consumers].filter((process) => loggedAt(process, RESTORED, killedAt));
  console.log(`# leader-kill: ${moved.length} of the 2 clients reconnected`);
  await restartWhileFlowing(flow, victim);
  await finishExactlyOnce(flow);
});

test('a rolling restart of the three broker nodes: the clients move at each, every line once', async (t) => {
  assert.ok(rabbit && services && dir);
  // Fewer lines a tick: the restarts take tens of seconds.
  const flow = await startedFlow(t, {
    source: 'rolling-restart',
    linesPerTick: 40,
    firstLines: 2500,
  });
  for (const node of rabbit.nodes) startAgainAfter(t, node);
  for (const node of rabbit.nodes) {
    // Both clients on the node stopped next: each restart makes them move (round-robin, n1 → n2 → n3 → n1).
    await assertClientsOn(flow, node, 'the node stopped next');
    const stoppedAt = Date.now();
    const flowing = flow.flowingAgain(stoppedAt);
    flowing.catch(() => undefined); // awaited below, after the restart
    await node.stop();
    const stopped = Date.now() - stoppedAt;
    await node.start();
    const started = Date.now() - stoppedAt;
    await rabbit.settled();
    const settled = Date.now() - stoppedAt;
    const restored = [flow.producer, ...flow.consumers].map((process) => {
      const at = loggedAt(process, RESTORED, stoppedAt);
      return at === undefined ? 'stayed' : `${at - stoppedAt} ms`;
    });
    console.log(
      `# rolling-restart ${node.name} (the clients on it): ` +
        `stopped in ${stopped} ms, running again at ${started} ms, quorum members online at ${settled} ms; ` +
        `a line written after the stop stored ${await flowing} ms after it; producer restored ${restored[0]}, consumer ${restored[1]}`,
    );
  }
  await finishExactlyOnce(flow);
});

test('kill -9 of the database node the consumer writes to: it moves on by itself, every line once', async (t) => {
  assert.ok(galera && services && dir);
  const flow = await startedFlow(t, {
    source: 'galera-kill',
  });
  assert.deepEqual(
    await Promise.all([0, 1, 2].map((index) => sessionsOn(index))),
    [true, false, false],
    'the consumer writes through the first node listed only',
  );

  const commitsBefore = await localCommits(1);
  const killedAt = Date.now();
  galera.nodes[0]?.kill();
  await flow.until('a session of the consumer on the second node', () => sessionsOn(1), 60_000);
  const moved = Date.now() - killedAt;
  // Its first transaction committed through the second node (a count of rows would also see a
  // transaction in flight on the killed node that reached the others before it died).
  await flow.until(
    'a commit through the second node',
    async () => (await localCommits(1)) > commitsBefore,
    60_000,
  );
  const committed = Date.now() - killedAt;
  const consumer = flow.consumers[0] as LongRunning;
  const leftOut = consumer
    .stderr()
    .split('\n')
    .find((line) => line.includes('database node left out'));
  assert.ok(leftOut, `the consumer says it left the node out: ${consumer.stderr()}`);
  assert.equal((JSON.parse(leftOut) as { node: string }).node, galera.nodes[0]?.address);
  const logged = loggedAt(consumer, 'writes resumed', killedAt);
  console.log(
    `# galera-kill: consumer connected to the second node ${moved} ms after the kill, committed through it ${committed} ms after` +
      (logged === undefined ? '' : ` (its log: writes resumed ${logged - killedAt} ms after)`) +
      `; a line written after the kill stored ${await flow.flowingAgain(killedAt)} ms after it`,
  );
  await finishExactlyOnce(flow);
});

test('two consumers on different broker and database nodes at once: conflicts are written again, every line once', async (t) => {
  assert.ok(rabbit && galera && services && dir);
  const conflictsBefore = await conflictCount([1, 2]);
  // Few messages each at a time, in small transactions: the two consumers share the queue and
  // count into the same rollup rows at once.
  const flow = await startedFlow(t, {
    source: 'two-consumers',
    producerEnv: { RABBIT_HOST: rabbitHosts([2, 0, 1]) },
    consumerEnvs: [
      { RABBIT_HOST: rabbitHosts([0, 1, 2]), DB_HOST: dbHosts([1, 2]) },
      { RABBIT_HOST: rabbitHosts([1, 2, 0]), DB_HOST: dbHosts([2, 1]) },
    ],
    consumerOptions: ['--prefetch', '10', '--write-batch-rows', '500'],
    maxLines: 10_000,
    firstLines: 2000,
  });
  assert.deepEqual(
    await clientNodes(flow, { consumer: 2 }),
    [rabbit.nodes[0]?.name, rabbit.nodes[1]?.name].sort(),
    'each consumer is on its own broker node',
  );
  // Each consumer writes through its own database node. Polled: a connection that a Galera
  // conflict aborted is closed, and for a moment a consumer may hold none on its node.
  for (const index of [1, 2]) {
    await flow.until(`a consumer's session on database node ${index + 1}`, () => sessionsOn(index), 60_000);
  }
  await flow.until('every line written', () => flow.writer.lines.length >= 10_000);
  const reports = await finishExactlyOnce(flow);
  const storedBy = reports.map(
    (report) => (JSON.parse(report) as { stored: { raw: { lines: number } } }).stored.raw.lines,
  );
  assert.ok(
    storedBy.every((lines) => lines > 0),
    `both consumers stored lines (${storedBy.join(' and ')})`,
  );
  const conflicts = (await conflictCount([1, 2])) - conflictsBefore;
  console.log(
    `# two-consumers: ${conflicts} transactions aborted by Galera (certification failures and brute-force aborts)`,
  );
});

test("DB_READ_HOST: stats and the dashboard read from the node named, with the writers' node unreachable", async (t) => {
  assert.ok(galera && services);
  // Nothing listens on the writers' port: any read sent there would fail.
  const env = {
    ...services.env,
    DB_HOST: `127.0.0.1:${await freePort()}`,
    DB_READ_HOST: dbHosts([READ_NODE]),
  };
  const stats = await runCli(['stats', '--json'], { env });
  assert.equal(stats.code, 0, stats.stderr);
  const snapshot = JSON.parse(stats.stdout) as {
    database: string;
    readLag: { kind: string; receiveQueue: number } | null;
    tables: { raw_log: { rows: number; exact: boolean } };
  };
  assert.equal(snapshot.database, `${galera.nodes[READ_NODE]?.address}/${services.database}`);
  const lines = [...stored.values()].reduce((sum, each) => sum + each, 0);
  const raw = snapshot.tables.raw_log;
  // `stats` counts a table exactly below 100,000 rows and gives InnoDB's estimate above (README):
  // how many lines the scenarios above wrote depends on how long they ran.
  if (raw.exact) assert.equal(raw.rows, lines, 'the lines the tests above stored');
  else
    assert.ok(
      Math.abs(raw.rows - lines) <= lines / 2,
      `InnoDB's estimate of the lines the tests above stored: ${raw.rows} for ${lines}`,
    );
  assert.equal(snapshot.readLag?.kind, 'galera');
  assert.equal(typeof snapshot.readLag.receiveQueue, 'number');

  const dashboard = startLograbbit(['dashboard', '--port', '0'], { env });
  t.after(() => dashboard.stop('SIGKILL', 5000));
  let url: string | undefined;
  await waitFor('the dashboard to listen', () => {
    url = /dashboard: (http:\/\/\S+?)\/\s/.exec(dashboard.stdout())?.[1];
    return url !== undefined || dashboard.stderr().includes('"level":50');
  });
  assert.ok(url, dashboard.stderr());
  const lag = (await (await fetch(`${url}/api/read-lag`)).json()) as { lag: { kind: string } | null };
  assert.equal(lag.lag?.kind, 'galera');
  const sources = (await (await fetch(`${url}/api/sources`)).json()) as { sources: string[] };
  assert.deepEqual(sources.sources.sort(), [...stored.keys()].sort());
});

/**
 * Lines flowing (test/helpers/cluster-flow.ts) into this file's database, killed after the test
 * whatever its outcome; resolves once `firstLines` of them (3,000 by default) are stored.
 */
async function startedFlow(
  t: TestContext,
  options: Omit<FlowOptions, 'root'> & { readonly firstLines?: number },
): Promise<Flow> {
  const flow = startFlow(services!, { ...options, root: dir!, explain: clustersState });
  t.after(() => flow.kill());
  const firstLines = options.firstLines ?? 3000;
  await flow.until(
    'the first lines stored',
    async () => (await rawRowCount(services!, flow.source)) >= firstLines,
  );
  return flow;
}

/**
 * The queues' leaders, members online and counts, and the channels' unconfirmed messages, as JSON
 * lines; then whether each Galera node runs, with its log's last lines.
 */
async function clustersState(): Promise<string> {
  const queues = (await rabbit!.api('api/queues/%2F')) as Array<Record<string, unknown>>;
  const channels = (await rabbit!.api('api/channels')) as Array<Record<string, unknown>>;
  const pick = (row: Record<string, unknown>, keys: readonly string[]): string =>
    JSON.stringify(Object.fromEntries(keys.map((key) => [key, row[key]])));
  return [
    '--- queues',
    ...queues.map((queue) =>
      pick(queue, ['name', 'leader', 'online', 'messages_ready', 'messages_unacknowledged']),
    ),
    '--- channels',
    ...channels.map((channel) =>
      pick(channel, [
        'name',
        'node',
        'confirm',
        'messages_unconfirmed',
        'messages_unacknowledged',
        'message_stats',
      ]),
    ),
    await galera!.state().catch((error: unknown) => `--- galera: ${String(error)}`),
  ].join('\n');
}

/**
 * The broker nodes of the flow's connections, sorted, once the management API lists as many of each
 * role as `expected` says (it lists a connection after its statistics first come in).
 */
async function clientNodes(
  flow: Flow,
  expected: { readonly producer?: number; readonly consumer?: number },
): Promise<string[]> {
  let nodes: string[] = [];
  await flow.until(
    'the management API to list the connections',
    async () => {
      const connections = (await rabbit!.api('api/connections')) as Array<{
        node: string;
        client_properties?: { connection_name?: string };
      }>;
      nodes = [];
      for (const [role, count] of Object.entries(expected)) {
        const ours = connections.filter((c) => c.client_properties?.connection_name === `lograbbit ${role}`);
        if (ours.length !== count) return false;
        nodes.push(...ours.map((c) => c.node));
      }
      return true;
    },
    30_000,
  );
  return nodes.sort();
}

/** Fails unless the flow's producer and its one consumer are both connected to `node`. */
async function assertClientsOn(flow: Flow, node: ClusterNode, which: string): Promise<void> {
  const nodes = await clientNodes(flow, { producer: 1, consumer: 1 });
  assert.deepEqual(
    nodes,
    [node.name, node.name],
    `the producer and the consumer are on ${which}, ${node.name}`,
  );
}

/**
 * Has a node killed by the test started again after it, when the test did not (it failed first):
 * the next scenarios expect three nodes.
 */
function startAgainAfter(t: TestContext, node: ClusterNode): void {
  t.after(async () => {
    if (node.isRunning()) return;
    await node.start();
    await rabbit!.settled();
  });
}

/** Starts `node` again while the flow's lines go on, and waits until its quorum members are back. */
async function restartWhileFlowing(flow: Flow, node: ClusterNode): Promise<void> {
  const started = Date.now();
  await node.start();
  await rabbit!.settled();
  flow.check();
  console.log(
    `# ${flow.source}: ${node.name} started again, its quorum members online ${Date.now() - started} ms later`,
  );
}

/** Waits for every line and stops the processes, checks every line stored once; the consumers' reports. */
async function finishExactlyOnce(flow: Flow): Promise<string[]> {
  const reports = await flow.finish();
  await assertExactlyOnce(services!, flow.source, flow.writer.lineBuffers).catch(async (error: unknown) => {
    // A lost connection here is a Galera node gone: say which, and what its log said last.
    throw new Error(`${String(error)}\n${await clustersState().catch(String)}`, { cause: error });
  });
  stored.set(flow.source, flow.writer.lines.length);
  return reports;
}

/** Whether Galera node `index` has a client session on this file's database other than the test's reads. */
async function sessionsOn(index: number): Promise<boolean> {
  const reads = (await services!.sql()).threadId;
  const connection = await galera!.connect(index);
  try {
    // Not a causal read: it would wait for the cluster, which holds commits until it drops a dead node.
    await connection.query('SET SESSION wsrep_sync_wait = 0');
    const [rows] = await connection.query<RowDataPacket[]>({
      // Galera's appliers ('system user') show the database of the writes they apply from other nodes.
      sql: "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> ? AND USER <> 'system user'",
      values: [services?.database, index === READ_NODE ? reads : -1],
      timeout: STATUS_TIMEOUT_MS,
    });
    return Number(rows[0]?.n) > 0;
  } catch (error) {
    throw new Error(`Galera node ${index + 1}: its sessions: ${String(error)}`, { cause: error });
  } finally {
    // Not end(): it waits for the server's answer to QUIT, which a held node may never send.
    connection.destroy();
  }
}

/** Transactions Galera aborted on the nodes `indexes`: certification failures and brute-force aborts. */
async function conflictCount(indexes: readonly number[]): Promise<number> {
  let total = 0;
  for (const index of indexes) {
    const status = await galera!.wsrepStatus(index);
    total += Number(status.wsrep_local_cert_failures) + Number(status.wsrep_local_bf_aborts);
  }
  return total;
}

/** Transactions Galera node `index` has committed from its own clients. */
async function localCommits(index: number): Promise<number> {
  return Number((await galera!.wsrepStatus(index)).wsrep_local_commits);
}
