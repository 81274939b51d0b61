/** Lists of database nodes in DB_HOST and DATABASE_URL: read into `nodes`, or one usage line naming the variable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/index.js';
import { UsageError } from '../../../src/errors.js';

test('DB_HOST: one host as before, or host[:port] separated by commas (the port defaults to DB_PORT)', () => {
  const cases: Array<[Record<string, string>, Array<[string, number]>, string]> = [
    [{}, [['127.0.0.1', 3306]], '127.0.0.1:3306/lograbbit'],
    [{ DB_HOST: 'db.internal', DB_PORT: '3307' }, [['db.internal', 3307]], 'db.internal:3307/lograbbit'],
    [{ DB_HOST: '::1' }, [['::1', 3306]], '[::1]:3306/lograbbit'],
    [
      { DB_HOST: 'db1, db2:3307 ,[::1]:3308', DB_PORT: '3309', DB_NAME: 'logs' },
      [
        ['db1', 3309],
        ['db2', 3307],
        ['::1', 3308],
      ],
      'db1:3309, db2:3307, [::1]:3308/logs',
    ],
  ];
  for (const [env, nodes, address] of cases) {
    const { db } = loadConfig(env);
    assert.deepEqual(
      db.nodes.map((node) => [node.host, node.port]),
      nodes,
      JSON.stringify(env),
    );
    assert.deepEqual([db.host, db.port], nodes[0], 'host and port are the first node');
    assert.equal(db.address, address);
  }
});

test('DATABASE_URL: several URLs separated by commas, differing only in host and port', () => {
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://app:pw@g1/logs,mysql://app:pw@g2/other' }));
  const good = loadConfig({
    DATABASE_URL: 'mysql://app:a,b@g1:3311/logs,mysql://app:a,b@g2/logs,mysql://app:a,b@g3:3313/logs',
  });
  assert.equal(good.db.password, 'a,b', 'a comma in a password does not split the list');
  assert.equal(good.db.address, 'g1:3311, g2:3306, g3:3313/logs');
  assert.deepEqual(
    good.db.nodes.map((node) => `${node.host}:${node.port}`),
    ['g1:3311', 'g2:3306', 'g3:3313'],
  );
  assert.equal(good.db.user, 'app');
  assert.equal(good.db.database, 'logs');
});

test('a malformed database list is one usage error naming its variable (and never quoting a URL)', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ DB_HOST: 'db1,,db2' }, /^DB_HOST: an empty entry in the list/],
    [{ DB_HOST: 'db1,' }, /^DB_HOST: an empty entry in the list/],
    [
      { DB_HOST: 'db1:99999,db2' },
      /^DB_HOST: the port of "db1:99999" must be a whole number from 1 to 65535$/,
    ],
    [{ DB_HOST: 'db1:x' }, /^DB_HOST: "db1:x" is not host\[:port\]/],
    [{ DB_HOST: 'db 1,db2' }, /^DB_HOST: "db 1" is not host\[:port\]/],
    [{ DB_HOST: 'mysql://db1' }, /^DB_HOST: "mysql:\/\/db1" is not host\[:port\]/],
    [
      { DATABASE_URL: 'mysql://u:secret@db1/a,mysql://u:secret@db2/b' },
      /^DATABASE_URL: the URLs of a list must differ only in host and port \(same scheme, user, password, database name and options\)$/,
    ],
    [
      { DATABASE_URL: 'mysql://u:secret@db1/a,mariadb://u:secret@db2/a' },
      /^DATABASE_URL: the URLs of a list must differ only in host and port/,
    ],
    [{ DATABASE_URL: 'mysql://u:secret@db1/a,mysql://u:secret@/a' }, /^DATABASE_URL: not a valid URL/],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => loadConfig(env),
      (error: unknown) =>
        error instanceof UsageError &&
        error.code === 'LR_CONFIG' &&
        message.test(error.message) &&
        !/secret/.test(error.message),
      JSON.stringify(env),
    );
  }
});

test('a bad database list is reported along with the other problems', () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'mysql://u:p@db1/a,mysql://u:q@db2/a', RABBIT_PORT: 'x' }),
    (error: unknown) =>
      error instanceof UsageError &&
      /^RABBIT_PORT: .*; DATABASE_URL: the URLs of a list must differ only in host and port/.test(
        error.message,
      ),
  );
});

test("DB_READ_HOST: where the dashboard and stats read, with the writers' login and database", () => {
  assert.equal(loadConfig({}).dbRead, undefined, 'unset: they read where the writers write');
  const { db, dbRead } = loadConfig({
    DATABASE_URL: 'mysql://app:pw@primary:3307/logs',
    DB_READ_HOST: 'replica1,replica2:3310',
    DB_PORT: '3308',
  });
  assert.ok(dbRead);
  assert.deepEqual(
    dbRead.nodes.map((node) => `${node.host}:${node.port}`),
    ['replica1:3308', 'replica2:3310'],
  );
  assert.deepEqual([dbRead.user, dbRead.password, dbRead.database], [db.user, db.password, db.database]);
  assert.equal(dbRead.address, 'replica1:3308, replica2:3310/logs');
  assert.throws(
    () => loadConfig({ DB_READ_HOST: 'replica1,,replica2' }),
    (error: unknown) => error instanceof UsageError && /^DB_READ_HOST: an empty entry/.test(error.message),
  );
});
