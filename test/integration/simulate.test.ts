/**
 * `simulate` as a user runs it: deterministic with a seed, appended to a file that `run` follows,
 * published straight to RabbitMQ; and `npm start` (`run` with no path), the live demo.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { useLiveSuite } from '../helpers/live-suite.js';
import { REPO_ROOT, runCli, waitFor } from '../helpers/cli.js';
import { assertExactlyOnce, expectedLines, rawRowCount } from '../helpers/stored-lines.js';
import { startLograbbit, startProcess } from '../helpers/processes.js';

const suite = useLiveSuite('simulate');

const FAST = ['--no-geo', '--no-user-agent'];

test('the same seed and start give the same lines; another seed other lines', async () => {
  const args = ['simulate', '--count', '300', '--rate', '100000', '--start', '2022-11-01T10:00:00Z'];
  const [first, again, other] = await Promise.all([
    runCli([...args, '--seed', '7']),
    runCli([...args, '--seed', '7']),
    runCli([...args, '--seed', '8']),
  ]);
  for (const result of [first, again, other]) assert.equal(result.code, 0, result.stderr);
  const lines = first.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 300);
  assert.equal(again.stdout, first.stdout);
  assert.notEqual(other.stdout, first.stdout);
  assert.match(
    lines[0] ?? '',
    /^\S+ - \S+ \[01\/Nov\/2022:05:00:00 -0500\] "[A-Z]+ \S+ HTTP\/[\d.]+" \d{3} \d+ "/,
  );
});

test('simulate --output appends traffic that run follows, every line stored once', async () => {
  const path = join(suite.dir, 'simulated.log');
  const running = startLograbbit(['run', path, '--state-dir', join(suite.dir, 'state'), ...FAST], {
    env: suite.services.env,
  });
  const simulated = await runCli(
    ['simulate', '--output', path, '--rate', '500', '--count', '600', '--seed', '3'],
    {
      env: suite.services.env,
    },
  );
  assert.equal(simulated.code, 0, simulated.stderr);
  const lines = expectedLines(await readFile(path));
  assert.equal(lines.length, 600);
  await waitFor(
    '600 simulated lines stored',
    async () => (await rawRowCount(suite.services, 'simulated.log')) >= 600,
  );
  const exit = await running.stop('SIGTERM');
  assert.equal(exit.code, 0, exit.stderr);
  await assertExactlyOnce(suite.services, 'simulated.log', lines);
  const sql = await suite.services.sql();
  const [[row]] = await sql.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n, COUNT(DISTINCT ip) AS ips FROM clean_log WHERE source = ?',
    ['simulated.log'],
  );
  assert.equal(Number(row?.n), 600, 'every simulated line parses');
  assert.ok(Number(row?.ips) > 20, 'many client addresses');
});

test('simulate --to-broker publishes with confirms', async () => {
  const simulated = await runCli(
    ['simulate', '--to-broker', '--source', 'sim-direct', '--rate', '2000', '--count', '500', '--seed', '4'],
    { env: suite.services.env },
  );
  assert.equal(simulated.code, 0, simulated.stderr);
  const consumed = await runCli(['consume', '--until-idle', ...FAST], { env: suite.services.env });
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal(await rawRowCount(suite.services, 'sim-direct'), 500);
});

test('npm start is the live demo: simulated traffic followed into MySQL until Ctrl-C, exit 0', async () => {
  // As a user runs it: npm in its own process group, stopped by a SIGINT to the whole group (a
  // terminal's Ctrl-C), which reaches lograbbit twice: from the "terminal", and forwarded by npm.
  const running = startProcess(
    'npm',
    [
      'start',
      '--',
      '--rate',
      '200',
      '--state-dir',
      join(suite.dir, 'demo-state'),
      '--dashboard-port',
      '0',
      ...FAST,
    ],
    { env: suite.services.env, cwd: REPO_ROOT, processGroup: true },
  );
  await waitFor('demo rows in raw_log', async () => (await rawRowCount(suite.services, 'demo.log')) >= 200);
  const exit = await running.stop('SIGINT');
  assert.equal(exit.code, 0, exit.stderr);
  assert.match(exit.stdout, /lograbbit run interrupted/);
  const written = expectedLines(await readFile(join(suite.dir, 'demo-state', 'demo', 'demo.log')));
  await assertExactlyOnce(suite.services, 'demo.log', written);
  assert.equal(await rawRowCount(suite.services, 'access.log'), 0, 'not the name of samples/access.log');
});
