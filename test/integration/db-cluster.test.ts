/**
 * A real 3-node MariaDB Galera cluster, private to this file (test/helpers/galera-cluster.ts), under
 * real producer and consumer processes with lines flowing the whole time: a consumer given the three
 * nodes moves on by itself when the node it writes to is killed (-9); two consumers writing through
 * different nodes at once (Galera's certification conflicts between them) store every line once,
 * and the rollups count each once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { runCli, waitFor } from '../helpers/cli.js';
import { startGaleraCluster } from '../helpers/galera-cluster.js';
import type { GaleraCluster } from '../helpers/galera-cluster.js';
import { RotatingLogWriter } from '../helpers/log-writer.js';
import { freePort, killStarted, sleep, startLograbbit } from '../helpers/processes.js';
import type { LongRunning } from '../helpers/processes.js';
import { createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { assertExactlyOnce, rawRowCount, storedCounts } from '../helpers/stored-lines.js';

const TOTAL_LINES = 10_000;
/** The node every read of the test goes to: never killed. */
const READ_NODE = 2;

let cluster: GaleraCluster | undefined;
let local: TestServices | undefined;
/** This file's vhost on the local broker, and its database on the Galera cluster. */
let services: TestServices | undefined;
let dir: string | undefined;

before(async () => {
  const started = performance.now();
  [cluster, local, dir] = await Promise.all([
    startGaleraCluster(3),
    createTestServices('db_cluster'),
    mkdtemp(join(tmpdir(), 'lograbbit-db-cluster-')),
  ]);
  console.log(`# Galera cluster of 3 nodes synced in ${Math.round(performance.now() - started)} ms`);
  const galera = cluster;
  const { database } = local;
  let reads: Promise<mysql.Connection> | undefined;
  services = {
    ...local,
    env: { ...local.env, DB_HOST: hostsOf([0, 1, 2]), DB_PORT: '3306' },
    sql: () => (reads ??= galera.connect(READ_NODE, database)),
    teardown: async () => {
      if (reads) await (await reads).end().catch(() => undefined);
    },
  };
  const setupStarted = performance.now();
  const setup = await runCli(['setup'], { env: services.env });
  assert.equal(setup.code, 0, setup.stderr);
  console.log(
    `# setup (database, migrations) on the cluster in ${Math.round(performance.now() - setupStarted)} ms`,
  );
});

after(async () => {
  await killStarted();
  await services?.teardown();
  await cluster?.teardown();
  await local?.teardown();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** DB_HOST listing the cluster's nodes `order`. */
function hostsOf(order: readonly number[]): string {
  return order.map((index) => cluster?.nodes[index]?.address).join(',');
}

test('kill -9 of the database node the consumer writes to: it moves on by itself, every line once', async (t) => {
  assert.ok(cluster && services && dir);
  const flow = startFlow(services, dir, 'galera-kill', [{ DB_HOST: hostsOf([0, 1, 2]) }]);
  t.after(() => flow.kill());
  await waitFor('the first lines stored', async () => {
    flow.check();
    return (await rawRowCount(services!, flow.source)) >= 2000;
  });
  assert.deepEqual(
    await Promise.all([0, 1, 2].map((index) => sessionsOn(index))),
    [true, false, false],
    'the consumer writes through the first node listed only',
  );

  const commitsBefore = await localCommits(1);
  const killedAt = Date.now();
  cluster.nodes[0]?.kill();
  await waitFor('a session of the consumer on the second node', () => sessionsOn(1), 60_000);
  const moved = Date.now() - killedAt;
  // Its first transaction committed through the second node (a count of rows would also see a
  // transaction in flight on the killed node that reached the others before it died).
  await waitFor(
    'a commit through the second node',
    async () => {
      flow.check();
      return (await localCommits(1)) > commitsBefore;
    },
    60_000,
  );
  const committed = Date.now() - killedAt;
  const consumer = flow.consumers[0] as LongRunning;
  const leftOut = consumer
    .stderr()
    .split('\n')
    .find((line) => line.includes('database node left out'));
  assert.ok(leftOut, `the consumer says it left the node out: ${consumer.stderr()}`);
  assert.equal((JSON.parse(leftOut) as { node: string }).node, cluster.nodes[0]?.address);
  const logged = resumedAt(consumer.stderr());
  console.log(
    `# consumer connected to the second node ${moved} ms after the kill, committed through it ${committed} ms after` +
      (logged === undefined ? '' : ` (its log: writes resumed ${logged - killedAt} ms after)`),
  );
  await flow.finish();
  await assertExactlyOnce(services, flow.source, flow.writer.lineBuffers);
});

test('two consumers writing through different nodes at once: conflicts are written again, every line once', async (t) => {
  assert.ok(cluster && services && dir);
  const conflictsBefore = await conflictCount([1, 2]);
  // Few messages each at a time, in small transactions: the two consumers share the queue and
  // count into the same rollup rows at once.
  const flow = startFlow(
    services,
    dir,
    'galera-two',
    [{ DB_HOST: hostsOf([1, 2]) }, { DB_HOST: hostsOf([2, 1]) }],
    ['--prefetch', '10', '--write-batch-rows', '500'],
  );
  t.after(() => flow.kill());
  await waitFor('the first lines stored', async () => {
    flow.check();
    return (await rawRowCount(services!, flow.source)) >= 2000;
  });
  assert.deepEqual(
    await Promise.all([1, 2].map((index) => sessionsOn(index))),
    [true, true],
    'each consumer writes through its own node',
  );
  const reports = await flow.finish();
  const stored = reports.map(
    (report) => (JSON.parse(report) as { stored: { raw: { lines: number } } }).stored.raw.lines,
  );
  assert.ok(
    stored.every((lines) => lines > 0),
    `both consumers stored lines (${stored.join(' and ')})`,
  );
  const conflicts = (await conflictCount([1, 2])) - conflictsBefore;
  console.log(
    `# ${conflicts} transactions aborted by Galera (certification failures and brute-force aborts)`,
  );
  await assertExactlyOnce(services, flow.source, flow.writer.lineBuffers);
});

test("DB_READ_HOST: stats and the dashboard read from the node named, with the writers' node unreachable", async (t) => {
  assert.ok(cluster && services);
  // Nothing listens on the writers' port: any read sent there would fail.
  const env = {
    ...services.env,
    DB_HOST: `127.0.0.1:${await freePort()}`,
    DB_READ_HOST: hostsOf([READ_NODE]),
  };
  const stats = await runCli(['stats', '--json'], { env });
  assert.equal(stats.code, 0, stats.stderr);
  const snapshot = JSON.parse(stats.stdout) as {
    database: string;
    readLag: { kind: string; receiveQueue: number } | null;
    tables: { raw_log: { rows: number } };
  };
  assert.equal(snapshot.database, `${cluster.nodes[READ_NODE]?.address}/${services.database}`);
  assert.equal(snapshot.tables.raw_log.rows, 2 * TOTAL_LINES, 'the lines the tests above stored');
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
  assert.deepEqual(sources.sources.sort(), ['galera-kill', 'galera-two']);
});

interface Flow {
  readonly source: string;
  readonly writer: RotatingLogWriter;
  readonly consumers: readonly LongRunning[];
  /** Fails when a process exited. */
  check(): void;
  /** Waits until every line is stored, then stops the processes; resolves with the consumers' reports. */
  finish(): Promise<string[]>;
  /** Kills what still runs: a failed test leaves nothing to consume the next test's lines. */
  kill(): Promise<void>;
}

/**
 * A log file that grows by 500 lines every 50 ms up to TOTAL_LINES, a producer following it, and a
 * consumer for each entry of `consumerEnvs` (each with its own database nodes), with `consumerOptions`.
 */
function startFlow(
  suite: TestServices,
  root: string,
  source: string,
  consumerEnvs: ReadonlyArray<Record<string, string>>,
  consumerOptions: readonly string[] = [],
): Flow {
  const writer = new RotatingLogWriter(join(root, `${source}.log`), 16);
  const env = { ...suite.env, LOG_LEVEL: 'info' };
  const consumers = consumerEnvs.map((extra) =>
    startLograbbit(['consume', '--json', ...consumerOptions], { env: { ...env, ...extra } }),
  );
  const producer = startLograbbit(
    [
      'produce',
      '--follow',
      writer.path,
      '--source',
      source,
      '--state-dir',
      join(root, source),
      '--no-progress',
    ],
    { env },
  );
  const gone: string[] = [];
  for (const [name, process] of [
    ...consumers.map((c, i) => [`consumer ${i + 1}`, c] as const),
    ['producer', producer] as const,
  ]) {
    void process.exited.then((exit) =>
      gone.push(`${name} exited (${exit.code ?? exit.signal}): ${exit.stderr}`),
    );
  }
  const check = (): void => assert.deepEqual(gone, []);
  const appending = (async () => {
    await writer.start(2000);
    while (writer.lines.length < TOTAL_LINES) {
      await writer.append(Math.min(500, TOTAL_LINES - writer.lines.length));
      await sleep(50);
    }
  })();
  return {
    source,
    writer,
    consumers,
    check,
    async finish() {
      await appending;
      const appended = performance.now();
      await waitFor(
        'every line stored',
        async () => {
          check();
          const counts = await storedCounts(suite, source);
          return counts.raw === TOTAL_LINES && counts.clean + counts.rejected === TOTAL_LINES;
        },
        90_000,
      );
      check();
      console.log(
        `# ${source}: the last line stored ${Math.round(performance.now() - appended)} ms after it was written`,
      );
      await producer.stop('SIGTERM');
      const exits = await Promise.all(consumers.map((process) => process.stop('SIGTERM')));
      return exits.map((exit) => exit.stdout);
    },
    async kill() {
      await Promise.all([producer, ...consumers].map((process) => process.stop('SIGKILL', 5000)));
    },
  };
}

/** Whether node `index` has a client session on this file's database other than the test's reads. */
async function sessionsOn(index: number): Promise<boolean> {
  const reads = (await services!.sql()).threadId;
  const connection = await cluster!.connect(index);
  try {
    // Not a causal read: it would wait for the cluster, which holds commits until it drops a dead node.
    await connection.query('SET SESSION wsrep_sync_wait = 0');
    const [rows] = await connection.query<RowDataPacket[]>(
      // Galera's appliers ('system user') show the database of the writes they apply from other nodes.
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> ? AND USER <> 'system user'",
      [services?.database, index === READ_NODE ? reads : -1],
    );
    return Number(rows[0]?.n) > 0;
  } finally {
    await connection.end();
  }
}

/** Transactions Galera aborted on the nodes `indexes`: certification failures and brute-force aborts. */
async function conflictCount(indexes: readonly number[]): Promise<number> {
  let total = 0;
  for (const index of indexes) {
    const status = await cluster!.wsrepStatus(index);
    total += Number(status.wsrep_local_cert_failures) + Number(status.wsrep_local_bf_aborts);
  }
  return total;
}

/** Transactions node `index` has committed from its own clients. */
async function localCommits(index: number): Promise<number> {
  return Number((await cluster!.wsrepStatus(index)).wsrep_local_commits);
}

/** When the consumer logged that its writes resumed (pino time, ms since the epoch). */
function resumedAt(stderr: string): number | undefined {
  for (const line of stderr.split('\n')) {
    if (!line.includes('writes resumed')) continue;
    return Date.parse((JSON.parse(line) as { time: string }).time);
  }
  return undefined;
}
