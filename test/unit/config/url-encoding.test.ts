/**
 * A stray `%` in RABBIT_URL or DATABASE_URL (a password with a literal percent sign, not written as
 * %25) is one problem naming the variable and the part, never the value: not a bare "URI malformed".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/index.js';
import { UsageError } from '../../../src/errors.js';

const HINT =
  'is not valid percent-encoding (each % must begin a %XX escape of UTF-8 bytes; write a literal % as %25)';

test('a bad percent-encoding names the variable and the part, and quotes no secret', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ RABBIT_URL: 'amqp://app:hunter2%@mq.example/prod' }, `RABBIT_URL: the password ${HINT}`],
    [{ RABBIT_URL: 'amqp://ap%zzp:hunter2@mq.example/prod' }, `RABBIT_URL: the user name ${HINT}`],
    [{ RABBIT_URL: 'amqps://app:hunter2@mq.example/pr%od' }, `RABBIT_URL: the vhost ${HINT}`],
    [{ DATABASE_URL: 'mysql://w:hunter2%2@db.example/logs' }, `DATABASE_URL: the password ${HINT}`],
    [{ DATABASE_URL: 'mysql://w%:hunter2@db.example/logs' }, `DATABASE_URL: the user name ${HINT}`],
    // Percent-escapes of bytes that are not UTF-8 (a lone continuation byte) are as malformed.
    [{ DATABASE_URL: 'mariadb://w:hunter2@db.example/%E0%A4' }, `DATABASE_URL: the database name ${HINT}`],
  ];
  for (const [env, expected] of cases) {
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.equal(error.code, 'LR_CONFIG');
        assert.equal(error.message, expected);
        assert.doesNotMatch(error.message, /hunter2|URI malformed/);
        return true;
      },
      JSON.stringify(env),
    );
  }
});

test('reported along with the other problems when another variable is wrong too', () => {
  assert.throws(
    () => loadConfig({ DB_PORT: 'x', RABBIT_URL: 'amqp://u:hunter2%@h/v' }),
    (error: unknown) =>
      error instanceof UsageError &&
      /^DB_PORT: .*; RABBIT_URL: the password is not valid percent-encoding/.test(error.message) &&
      !error.message.includes('hunter2'),
  );
});

test('well-formed escapes still decode: %25 is a literal percent sign', () => {
  const config = loadConfig({
    RABBIT_URL: 'amqp://app:50%25off@mq.example/a%2Fb',
    DATABASE_URL: 'mysql://w%40x:50%25off@db.example/logs',
  });
  assert.equal(config.rabbit.vhost, 'a/b');
  assert.equal(config.db.user, 'w@x');
  assert.equal(config.db.password, '50%off');
});
