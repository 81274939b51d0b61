import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, readEnvironment } from '../../../src/config/index.js';
import { UsageError } from '../../../src/errors.js';

test('defaults fit the local services', () => {
  const config = loadConfig({});
  assert.equal(config.rabbit.url, 'amqp://guest:guest@127.0.0.1:5672/%2F');
  assert.equal(config.rabbit.address, '127.0.0.1:5672 vhost "/"');
  assert.deepEqual(
    { ...config.db },
    {
      host: '127.0.0.1',
      port: 3306,
      nodes: [{ host: '127.0.0.1', port: 3306 }],
      database: 'lograbbit',
      user: 'root',
      password: '',
      address: '127.0.0.1:3306/lograbbit',
      tls: false,
      tlsCaFile: undefined,
    },
  );
  assert.equal(config.tuning.batchLines, 100);
  assert.equal(config.logLevel, 'info');
});

test('the configuration is frozen', () => {
  const config = loadConfig({});
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.db) && Object.isFrozen(config.tuning));
});

test('RABBIT_* and DB_* variables are read, credentials URL-encoded', () => {
  const config = loadConfig({
    RABBIT_HOST: 'mq.internal',
    RABBIT_PORT: '5673',
    RABBIT_USER: 'app',
    RABBIT_PASSWORD: 'p@ss/word',
    RABBIT_VHOST: 'logs',
    DB_HOST: 'db.internal',
    DB_PORT: '3307',
    DB_NAME: 'weblogs',
    DB_USER: 'writer',
    DB_PASSWORD: 's3cret',
  });
  assert.equal(config.rabbit.url, 'amqp://app:p%40ss%2Fword@mq.internal:5673/logs');
  assert.equal(config.db.address, 'db.internal:3307/weblogs');
  assert.equal(config.db.password, 's3cret');
});

test('RABBIT_URL and DATABASE_URL win over the separate variables', () => {
  const config = loadConfig({
    RABBIT_URL: 'amqps://u:p@broker.example:5671/prod',
    RABBIT_HOST: 'ignored',
    DATABASE_URL: 'mysql://w:pw@db.example:3310/logs',
  });
  assert.equal(config.rabbit.tls, true);
  assert.equal(config.rabbit.vhost, 'prod');
  assert.equal(config.rabbit.address, 'broker.example:5671 vhost "prod"');
  assert.deepEqual(
    { ...config.db },
    {
      host: 'db.example',
      port: 3310,
      nodes: [{ host: 'db.example', port: 3310 }],
      database: 'logs',
      user: 'w',
      password: 'pw',
      address: 'db.example:3310/logs',
      tls: false,
      tlsCaFile: undefined,
    },
  );
});

test('every bad value is reported at once, naming its variable or option', () => {
  assert.throws(
    () => loadConfig({ RABBIT_PORT: 'abc', DB_NAME: 'a-b;drop', LOG_LEVEL: 'loud' }, { batchLines: '0' }),
    (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /RABBIT_PORT: expected a whole number from 1 to 65535 \(got "abc"\)/);
      assert.match(error.message, /DB_NAME: /);
      assert.match(error.message, /LOG_LEVEL: /);
      assert.match(error.message, /--batch-lines: expected a whole number/);
      return true;
    },
  );
});

test('secrets are never quoted in errors', () => {
  for (const env of [
    { RABBIT_URL: 'http://user:hunter2@host' },
    { DATABASE_URL: 'not a url hunter2' },
    { DATABASE_URL: 'mysql://u:hunter2@h/bad-name!' },
  ]) {
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => error instanceof UsageError && !error.message.includes('hunter2'),
    );
  }
});

test('TLS: amqps:// and a CA file for the broker; DB_TLS or a CA file for the database', () => {
  const plain = loadConfig({});
  assert.equal(plain.rabbit.tls, false);
  assert.equal(plain.db.tls, false);
  const secure = loadConfig({
    RABBIT_URL: 'amqps://u:p@mq.example/v',
    RABBIT_TLS_CA: '/etc/ssl/mq-ca.pem',
    DB_TLS_CA: '/etc/ssl/db-ca.pem',
  });
  assert.equal(secure.rabbit.tls, true);
  assert.equal(secure.rabbit.tlsCaFile, '/etc/ssl/mq-ca.pem');
  assert.equal(secure.db.tls, true, 'a CA file implies TLS');
  assert.equal(secure.db.tlsCaFile, '/etc/ssl/db-ca.pem');
  assert.equal(loadConfig({ DB_TLS: 'true' }).db.tls, true);
  assert.throws(() => loadConfig({ DB_TLS: 'yes' }), /DB_TLS: /);
});

test('an empty variable means its default, except passwords', () => {
  const config = loadConfig({ DB_HOST: '', RABBIT_PASSWORD: '' });
  assert.equal(config.db.host, '127.0.0.1');
  assert.equal(config.rabbit.url, 'amqp://guest:@127.0.0.1:5672/%2F');
});

test('.env supplies variables the environment does not set', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lograbbit-env-'));
  const file = join(dir, '.env');
  await writeFile(file, 'DB_NAME=from_file\nDB_HOST=file-host\n');
  const env = readEnvironment(file, { DB_HOST: 'env-host' });
  assert.equal(env.DB_NAME, 'from_file');
  assert.equal(env.DB_HOST, 'env-host');
  assert.throws(() => readEnvironment(join(dir, 'missing.env'), {}), UsageError);
});
