/**
 * How the command line fails: one clear line naming what is wrong (and, for a service, its address),
 * an exit code a script can use, no stack trace, no secret.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { createTestServices } from '../helpers/services.js';
import { DB_HOST } from '../helpers/services.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const SAMPLE = new URL('../../samples/access.log', import.meta.url).pathname;

/** stderr without the blank lines: what a user sees. */
function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

for (const command of [['setup'], ['ingest', SAMPLE], ['produce', SAMPLE], ['consume', '--until-idle']]) {
  test(`${command[0]}: RabbitMQ unreachable → one line naming it and its address, exit 3`, async () => {
    const result = await runCli(command, {
      env: { RABBIT_PORT: '1' },
    });
    assert.equal(result.code, 3, result.stderr);
    assert.deepEqual(lines(result.stderr), [
      'lograbbit: cannot connect to RabbitMQ at 127.0.0.1:1 vhost "/": connection refused; is it running? (`docker compose up -d rabbitmq`, or `rabbitmq-server -detached`)',
    ]);
  });
}

// The long-running commands: one line even though they load the geo database and migrate at start.
const STATE_DIR = join(tmpdir(), 'lograbbit-cli-errors-state');
const LONG_RUNNING: Array<[string, string[]]> = [
  ['run <file>', ['run', SAMPLE, '--state-dir', STATE_DIR, '--dashboard-port', '0']],
  ['run (simulated traffic)', ['run', '--state-dir', STATE_DIR, '--dashboard-port', '0']],
  ['dashboard', ['dashboard', '--port', '0']],
];

for (const [label, command] of LONG_RUNNING) {
  test(`${label}: RabbitMQ unreachable → one line naming it and its address, exit 3`, async () => {
    const result = await runCli(command, { env: { RABBIT_PORT: '1' } });
    assert.equal(result.code, 3, result.stderr);
    assert.deepEqual(lines(result.stderr), [
      'lograbbit: cannot connect to RabbitMQ at 127.0.0.1:1 vhost "/": connection refused; is it running? (`docker compose up -d rabbitmq`, or `rabbitmq-server -detached`)',
    ]);
  });
}

// Every command that opens the database, the long-running ones included.
const OPENING_THE_DATABASE: Array<[string, string[]]> = [
  ['setup', ['setup']],
  ['ingest', ['ingest', SAMPLE]],
  ['consume', ['consume', '--until-idle']],
  ...LONG_RUNNING,
  ['stats', ['stats']],
  ['stats --json', ['stats', '--json']],
];
for (const [label, command] of OPENING_THE_DATABASE) {
  test(`${label}: database unreachable → one line naming it and its address, exit 3`, async () => {
    const result = await runCli(command, { env: { DB_PORT: '1' } });
    assert.equal(result.code, 3, result.stderr);
    assert.equal(lines(result.stderr).length, 1, result.stderr);
    assert.match(
      result.stderr,
      /^lograbbit: cannot connect to the database at 127\.0\.0\.1:1: connection refused;/,
    );
  });
}

test('setup: the database gone after its first answer, during the migrations → one line, exit 3', async () => {
  // The first connection (the server check, which creates the database) goes through; the pool's,
  // which runs the migrations, are dropped as they open. A supervisor restarts on exit 3 as on any
  // outage at start; before, the migration's "Failed query" was exit 1, an unexpected failure.
  const services = await createTestServices('cli_errors_gone');
  const proxy = await startTcpProxy(3306, DB_HOST, { forwardFirst: 1 });
  try {
    const result = await runCli(['setup'], { env: { ...services.env, DB_PORT: String(proxy.port) } });
    assert.equal(result.code, 3, result.stderr);
    assert.equal(lines(result.stderr).length, 1, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(
        `^lograbbit: cannot connect to the database at 127\\.0\\.0\\.1:${proxy.port}: .*is it running\\?`,
      ),
    );
  } finally {
    await proxy.close();
    await services.teardown();
  }
});

test('stats: RabbitMQ unreachable (the database answers) → one line naming it and its address, exit 3', async () => {
  // stats reads the database first, so it needs one that has the tables: a scratch one, set up here.
  const services = await createTestServices('cli_errors');
  try {
    const setup = await runCli(['setup'], { env: services.env });
    assert.equal(setup.code, 0, setup.stderr);
    const result = await runCli(['stats'], { env: { ...services.env, RABBIT_PORT: '1' } });
    assert.equal(result.code, 3, result.stderr);
    assert.deepEqual(lines(result.stderr), [
      `lograbbit: cannot connect to RabbitMQ at 127.0.0.1:1 vhost "${services.vhost}": connection refused; is it running? (\`docker compose up -d rabbitmq\`, or \`rabbitmq-server -detached\`)`,
    ]);
  } finally {
    await services.teardown();
  }
});

test('stats of a database that does not exist: one line saying so and what to run, exit 3', async () => {
  const result = await runCli(['stats'], { env: { DB_NAME: 'lograbbit_no_such_database' } });
  assert.equal(result.code, 3, result.stderr);
  assert.deepEqual(lines(result.stderr), [
    'lograbbit: database 127.0.0.1:3306/lograbbit_no_such_database does not exist; run `lograbbit setup` (or drop --no-setup)',
  ]);
});

test('run: a bad --dashboard-port or --metrics-port is exit 2 naming the option, before any connection', async () => {
  for (const option of ['--dashboard-port', '--metrics-port']) {
    const result = await runCli(['run', SAMPLE, option, '99999'], { env: { RABBIT_PORT: '1' } });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(lines(result.stderr).length, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`^lograbbit: ${option}: .*\\(got "99999"\\)`));
  }
});

test('a refused RabbitMQ login says which variables to check, and never prints the password', async () => {
  const result = await runCli(['setup'], { env: { RABBIT_PASSWORD: 'not-the-password-42' } });
  assert.equal(result.code, 3);
  assert.match(result.stderr, /login refused; check RABBIT_USER, RABBIT_PASSWORD/);
  assert.doesNotMatch(result.stderr + result.stdout, /not-the-password-42/);
});

test('bad variables and options: every problem on one line, exit 2', async () => {
  const result = await runCli(['ingest', SAMPLE, '--batch-lines', '0'], {
    env: { RABBIT_PORT: 'x', DB_PASSWORD: 'hunter2', DATABASE_URL: 'nonsense hunter2' },
  });
  assert.equal(result.code, 2);
  assert.deepEqual(lines(result.stderr).length, 1, result.stderr);
  assert.match(result.stderr, /RABBIT_PORT: expected a whole number from 1 to 65535 \(got "x"\)/);
  assert.match(result.stderr, /DATABASE_URL: not a valid URL/);
  assert.match(result.stderr, /--batch-lines: expected a whole number/);
  assert.doesNotMatch(result.stderr, /hunter2/);
});

test('unknown options, formats and files: exit 2 with a clear message', async () => {
  // An empty directory of its own: /tmp itself holds files, which produce would now publish.
  const empty = await mkdtemp(join(tmpdir(), 'lograbbit-cli-errors-empty-'));
  const cases: Array<[string[], RegExp]> = [
    [['ingest', '--bogus', SAMPLE], /unknown option '--bogus'/],
    [['consume', '--format', 'klingon'], /argument 'klingon' is invalid. Allowed choices are auto, proxy/],
    [['ingest', '/no/such/file.log'], /\/no\/such\/file\.log: no such file/],
    [['produce', empty], /a directory with no log file in it/],
    [['produce', '--follow', empty], /is a directory; to follow the files in it, give a glob/],
    [['consume', '--queues', 'lake'], /--queues: unknown queue "lake"/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    // The frame stores a source name in one byte: refused before anything is sent, not mid-run.
    [
      ['produce', '--source', 'x'.repeat(256), SAMPLE],
      /the source name is 256 bytes of UTF-8, more than 255/,
    ],
    [['ingest', '--source', '', SAMPLE], /the source name is empty/],
  ];
  try {
    for (const [args, message] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

test('--help explains every subcommand; help and --version exit 0', async () => {
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  for (const word of ['setup', 'produce', 'consume', 'ingest', 'RABBIT_URL', 'DATABASE_URL', 'Exit codes']) {
    assert.ok(help.stdout.includes(word), `--help mentions ${word}`);
  }
  const ingestHelp = await runCli(['ingest', '--help']);
  assert.equal(ingestHelp.code, 0);
  assert.match(ingestHelp.stdout, /--batch-lines <n>/);
  assert.match(ingestHelp.stdout, /--format <name>/);
  const version = await runCli(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('TLS options reach the drivers: a missing CA file is exit 2, a server without TLS is refused', async () => {
  const missingCa = await runCli(['setup'], { env: { DB_TLS_CA: '/no/such/ca.pem' } });
  assert.equal(missingCa.code, 2, missingCa.stderr);
  assert.match(missingCa.stderr, /DB_TLS_CA: cannot read \/no\/such\/ca\.pem/);
  const missingRabbitCa = await runCli(['dead', 'list'], { env: { RABBIT_TLS_CA: '/no/such/mq.pem' } });
  assert.equal(missingRabbitCa.code, 2, missingRabbitCa.stderr);
  assert.match(missingRabbitCa.stderr, /RABBIT_TLS_CA: cannot read \/no\/such\/mq\.pem/);
  // The local MariaDB has no certificate: with DB_TLS=true the connection must be refused, not downgraded.
  const noTls = await runCli(['setup'], { env: { DB_TLS: 'true' } });
  assert.equal(noTls.code, 3, noTls.stderr);
  assert.match(
    noTls.stderr,
    /cannot connect to the database at 127\.0\.0\.1:3306: .*secure connection.*unset DB_TLS/i,
  );
});
