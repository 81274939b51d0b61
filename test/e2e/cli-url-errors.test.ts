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
