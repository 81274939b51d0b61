/**
 * A stray `%` in a connection URL, as a user meets it: one line naming the variable and what is
 * wrong, exit 2 (a configuration error), before any connection, and the password never printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';

const HINT =
  'is not valid percent-encoding (each % must begin a %XX escape of UTF-8 bytes; write a literal % as %25)';

for (const [variable, value, part] of [
  ['RABBIT_URL', 'amqp://app:hunter2%@127.0.0.1:5672/%2F', 'password'],
  ['DATABASE_URL', 'mysql://root:hunter2%@127.0.0.1:3306/lograbbit', 'password'],
  ['DATABASE_URL', 'mysql://root@127.0.0.1:3306/%zz', 'database name'],
] as const) {
  test(`setup: a bad percent-encoding in ${variable}'s ${part} → one line naming it, exit 2`, async () => {
    const result = await runCli(['setup'], { env: { [variable]: value } });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr, `lograbbit: ${variable}: the ${part} ${HINT}\n`);
    assert.equal(result.stdout, '');
  });
}

for (const [variable, value, message] of [
  [
    'RABBIT_HOST',
    '127.0.0.1:5681,,127.0.0.1:5682',
    'RABBIT_HOST: an empty entry in the list (a stray comma?)',
  ],
  [
    'RABBIT_URL',
    'amqp://app:hunter2@127.0.0.1:5681/logs,amqp://app:hunter3@127.0.0.1:5682/logs',
    'RABBIT_URL: the URLs of a list must differ only in host and port (same scheme, user, password, vhost and options)',
  ],
] as const) {
  test(`setup: a malformed list of nodes in ${variable} → one line naming it, exit 2`, async () => {
    const result = await runCli(['setup'], { env: { [variable]: value } });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr, `lograbbit: ${message}\n`);
    assert.equal(result.stdout, '');
  });
}
