/**
 * A real 3-node RabbitMQ cluster, private to this file (test/helpers/rabbit-cluster.ts): `setup`
 * spreads the queue leaders and names a queue short of members with the command that grows it; a
 * producer and a consumer given the three nodes move on by themselves when the node they use is
 * killed (-9) mid-stream, and every line is stored exactly once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { RotatingLogWriter } from '../helpers/log-writer.js';
import { freePort, killStarted, sleep, startLograbbit } from '../helpers/processes.js';
import type { LongRunning } from '../helpers/processes.js';
import { startRabbitCluster } from '../helpers/rabbit-cluster.js';
import type { RabbitCluster } from '../helpers/rabbit-cluster.js';
import { createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { assertExactlyOnce, rawRowCount, storedCounts } from '../helpers/stored-lines.js';

const SOURCE = 'cluster';
const TOTAL_LINES = 30_000;

let cluster: RabbitCluster | undefined;
let services: TestServices | undefined;
let dir: string | undefined;
let env: Record<string, string> = {};

before(async () => {
  const started = performance.now();
  [cluster, services, dir] = await Promise.all([
    startRabbitCluster(3),
    createTestServices('broker_cluster', { vhost: false }),
    mkdtemp(join(tmpdir(), 'lograbbit-broker-cluster-')),
  ]);
  console.log(`# cluster of 3 nodes formed in ${Math.round(performance.now() - started)} ms`);
  env = {
    ...services.env,
    RABBIT_HOST: cluster.nodes.map((node) => node.address).join(','),
    RABBIT_VHOST: '/',
    RABBIT_MANAGEMENT_URL: cluster.managementUrl,
  };
});

after(async () => {
  await killStarted();
  await cluster?.teardown();
  await services?.teardown();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface SetupReport {
  readonly runningNodes: string[];
  readonly placement: Array<{ queue: string; members: string[]; leader: string }>;
}

test('setup on the formed cluster: leaders on three nodes; a queue short of members is named with its grow command', async () => {
  assert.ok(cluster);
  const setup = await runCli(['setup', '--json'], { env });
  assert.equal(setup.code, 0, setup.stderr);
  const report = JSON.parse(setup.stdout) as SetupReport;
  assert.equal(report.runningNodes.length, 3);
  for (const placement of report.placement) assert.equal(placement.members.length, 3, placement.queue);
  assert.equal(new Set(report.placement.map((placement) => placement.leader)).size, 3, 'one leader per node');

  // A queue that lost a member (a node replaced): setup says so, and its command puts it back.
  const lacking = cluster.nodes[2]?.name ?? '';
  await cluster.queues('delete_member', 'data-dead', lacking);
  const again = await runCli(['setup'], { env: { ...env, LOG_LEVEL: 'warn' } });
  assert.equal(again.code, 0, again.stderr);
  const warning = again.stderr.split('\n').find((line) => line.includes('fewer members than the cluster'));
  assert.ok(warning, again.stderr);
  const { grow } = JSON.parse(warning) as { grow: string[] };
  assert.equal(grow.length, 1);
  const words = (grow[0] ?? '').split(' ').map((word) => word.replace(/^'|'$/g, ''));
  assert.deepEqual(words.slice(0, 4), ['rabbitmq-queues', 'grow', lacking, 'all']);
  await cluster.queues(...words.slice(1));
  const grown = (await cluster.api('api/queues/%2F/data-dead')) as { members: string[] };
  assert.equal(grown.members.length, 3);
});

test('kill -9 of the node the producer and consumer use: both move on by themselves, every line once', async () => {
  assert.ok(cluster && services && dir);
  const writer = new RotatingLogWriter(join(dir, 'access.log'), 16);
  await writer.start(2000);
  const processEnv = { ...env, LOG_LEVEL: 'info' };
  const metricsPort = await freePort();
  const consumer = startLograbbit(['consume', '--metrics-port', String(metricsPort)], { env: processEnv });
  const producer = startLograbbit(
    [
      'produce',
      '--follow',
      writer.path,
      '--source',
      SOURCE,
      '--state-dir',
      join(dir, 'state'),
      '--no-progress',
    ],
    { env: processEnv },
  );
  const alive = (name: string, process: LongRunning): (() => void) => {
    let gone: string | undefined;
    void process.exited.then(
      (exit) => (gone = `${name} exited (${exit.code ?? exit.signal}): ${exit.stderr}`),
    );
    return () => assert.equal(gone, undefined);
  };
  const checks = [alive('consumer', consumer), alive('producer', producer)];

  // Lines flow the whole time: 500 more every 50 ms until the total.
  const appending = (async () => {
    while (writer.lines.length < TOTAL_LINES) {
      await writer.append(Math.min(500, TOTAL_LINES - writer.lines.length));
      await sleep(50);
    }
  })();

  await waitFor('the first lines stored', async () => (await rawRowCount(services!, SOURCE)) >= 3000, checks);
  const victim = cluster.nodes[0];
  assert.ok(victim);
  // The management API lists connections from statistics it collects every few seconds: wait until
  // it has both of ours before asking where they are.
  let ours: Array<{ node: string }> = [];
  const api = cluster.api.bind(cluster);
  await waitFor(
    'the management API to list the two connections',
    async () => {
      const connections = (await api('api/connections')) as Array<{
        node: string;
        client_properties?: { connection_name?: string };
      }>;
      ours = connections.filter((c) => c.client_properties?.connection_name?.startsWith('lograbbit'));
      return ours.length >= 2;
    },
    checks,
    30_000,
  );
  assert.deepEqual(
    ours.map((c) => c.node).sort(),
    [victim.name, victim.name],
    'the producer and the consumer are on the first node listed',
  );
  const killedAt = Date.now();
  victim.kill();

  await appending;
  await waitFor(
    'every line stored',
    async () => {
      const counts = await storedCounts(services!, SOURCE);
      return counts.raw === TOTAL_LINES && counts.clean + counts.rejected === TOTAL_LINES;
    },
    checks,
  );
  // Ready again, on another node: its checks (the broker's queues among them) answer from there.
  let readiness = '';
  await waitFor(
    'the consumer ready again, on another node',
    async () => {
      const answer = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
      readiness = `${answer.status} ${await answer.text()}`;
      return answer.status === 200;
    },
    checks,
    30_000,
  ).catch((error: unknown) => assert.fail(`${String(error)}; last /readyz: ${readiness}`));
  for (const check of checks) check();
  // A producer with nothing left to publish may reconnect after the last line is stored: wait for
  // its word rather than expect it already said.
  for (const [name, process] of [
    ['producer', producer],
    ['consumer', consumer],
  ] as const) {
    await waitFor(
      `the ${name} says its connection is restored`,
      () => Promise.resolve(restoredAt(process.stderr()) !== undefined),
      checks,
      30_000,
    ).catch((error: unknown) => assert.fail(`${String(error)}; its log: ${process.stderr()}`));
    const restored = restoredAt(process.stderr()) ?? Number.NaN;
    console.log(`# ${name}: connection restored ${restored - killedAt} ms after the kill`);
  }
  await Promise.all([producer.stop('SIGTERM'), consumer.stop('SIGTERM')]);
  await assertExactlyOnce(services, SOURCE, writer.lineBuffers);
});

/** When the process logged that its broker connection was back (its pino time, ms since the epoch). */
function restoredAt(stderr: string): number | undefined {
  for (const line of stderr.split('\n')) {
    if (!line.includes('RabbitMQ connection restored')) continue;
    return Date.parse((JSON.parse(line) as { time: string }).time);
  }
  return undefined;
}

async function waitFor(
  what: string,
  condition: () => Promise<boolean>,
  checks: ReadonlyArray<() => void>,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    for (const check of checks) check();
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}
