/** Lists of broker nodes in RABBIT_HOST and RABBIT_URL: read into `nodes`, or one usage line naming the variable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/index.js';
import { UsageError } from '../../../src/errors.js';

test('RABBIT_HOST: one host as before, or host[:port] separated by commas (the port defaults to RABBIT_PORT)', () => {
  const cases: Array<[Record<string, string>, string[], string]> = [
    [{}, ['127.0.0.1:5672'], 'amqp://guest:guest@127.0.0.1:5672/%2F'],
    [
      { RABBIT_HOST: 'mq.internal', RABBIT_PORT: '5673' },
      ['mq.internal:5673'],
      'amqp://guest:guest@mq.internal:5673/%2F',
    ],
    [{ RABBIT_HOST: '::1' }, ['[::1]:5672'], 'amqp://guest:guest@[::1]:5672/%2F'],
    [{ RABBIT_HOST: '[::1]:5681' }, ['[::1]:5681'], 'amqp://guest:guest@[::1]:5681/%2F'],
    [
      { RABBIT_HOST: '127.0.0.1:5681,127.0.0.1:5682' },
      ['127.0.0.1:5681', '127.0.0.1:5682'],
      'amqp://guest:guest@127.0.0.1:5681/%2F',
    ],
    [
      { RABBIT_HOST: 'mq1, mq2:5673 ,mq3', RABBIT_PORT: '5674' },
      ['mq1:5674', 'mq2:5673', 'mq3:5674'],
      'amqp://guest:guest@mq1:5674/%2F',
    ],
  ];
  for (const [env, nodes, url] of cases) {
    const { rabbit } = loadConfig(env);
    assert.deepEqual(rabbit.nodes, nodes, JSON.stringify(env));
    assert.equal(rabbit.url, url);
  }
  assert.equal(
    loadConfig({ RABBIT_HOST: 'mq1,mq2:5673', RABBIT_VHOST: 'logs' }).rabbit.address,
    'mq1:5672, mq2:5673 vhost "logs"',
  );
});

test('RABBIT_URL: several URLs separated by commas, differing in host and port; a comma in a password stays', () => {
  const { rabbit } = loadConfig({
    RABBIT_URL: 'amqp://app:pa,ss@mq1:5681/logs,amqp://app:pa,ss@mq2:5682/logs, amqp://app:pa,ss@mq3/logs',
  });
  assert.deepEqual(rabbit.nodes, ['mq1:5681', 'mq2:5682', 'mq3:5672']);
  assert.equal(rabbit.url, 'amqp://app:pa,ss@mq1:5681/logs');
  assert.equal(rabbit.vhost, 'logs');
  assert.equal(rabbit.address, 'mq1:5681, mq2:5682, mq3:5672 vhost "logs"');
  assert.deepEqual(loadConfig({ RABBIT_URL: 'amqps://u:p@a,amqps://u:p@b' }).rabbit.nodes, [
    'a:5671',
    'b:5671',
  ]);
});

test('a malformed list is one usage error naming its variable (and never quoting a URL)', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ RABBIT_HOST: 'mq1,,mq2' }, /^RABBIT_HOST: an empty entry in the list/],
    [{ RABBIT_HOST: 'mq1,' }, /^RABBIT_HOST: an empty entry in the list/],
    [
      { RABBIT_HOST: 'mq1:99999,mq2' },
      /^RABBIT_HOST: the port of "mq1:99999" must be a whole number from 1 to 65535$/,
    ],
    [{ RABBIT_HOST: 'mq1:x' }, /^RABBIT_HOST: "mq1:x" is not host\[:port\]/],
    [{ RABBIT_HOST: 'mq 1,mq2' }, /^RABBIT_HOST: "mq 1" is not host\[:port\]/],
    [{ RABBIT_HOST: 'amqp://mq1' }, /^RABBIT_HOST: "amqp:\/\/mq1" is not host\[:port\]/],
    [{ RABBIT_HOST: '::1,mq2' }, /^RABBIT_HOST: "::1" has several colons/],
    [{ RABBIT_HOST: '[::1]:5681,mq2' }, /^RABBIT_HOST: an IPv6 address \(::1\) cannot be in a list/],
    [
      { RABBIT_URL: 'amqp://u:secret1@mq1/logs,amqp://u:secret2@mq2/logs' },
      /^RABBIT_URL: the URLs of a list must differ only in host and port/,
    ],
    [
      { RABBIT_URL: 'amqp://u:secret1@mq1/a,amqp://u:secret1@mq2/b' },
      /^RABBIT_URL: the URLs of a list must differ/,
    ],
    [
      { RABBIT_URL: 'amqp://u:secret1@mq1/a,amqps://u:secret1@mq2/a' },
      /^RABBIT_URL: the URLs of a list must differ/,
    ],
    [{ RABBIT_URL: 'amqp://u:secret1@mq1/a,amqp://u:secret1@:5672/a' }, /^RABBIT_URL: not a valid URL/],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => loadConfig(env),
      (error: unknown) =>
        error instanceof UsageError && message.test(error.message) && !/secret/.test(error.message),
      JSON.stringify(env),
    );
  }
});

test('a bad list is reported along with the other problems when another variable is wrong too', () => {
  assert.throws(
    () => loadConfig({ RABBIT_URL: 'amqp://u:p@mq1/a,amqp://u:q@mq2/a', DB_PORT: 'x' }),
    (error: unknown) =>
      error instanceof UsageError &&
      /^DB_PORT: .*; RABBIT_URL: the URLs of a list must differ only in host and port/.test(error.message),
  );
});

test('the management API: RABBIT_MANAGEMENT_URL (its login, else the broker one), else port 15672 of each node', () => {
  const byDefault = loadConfig({
    RABBIT_HOST: 'mq1:5681,mq2:5682',
    RABBIT_USER: 'app',
    RABBIT_PASSWORD: 'pw',
  });
  assert.deepEqual(
    { ...byDefault.rabbit.management },
    { urls: ['http://mq1:15672/', 'http://mq2:15672/'], user: 'app', password: 'pw' },
  );
  const named = loadConfig({ RABBIT_MANAGEMENT_URL: 'https://admin:s3cret@mq-admin:443/rabbit/' });
  assert.deepEqual(
    { ...named.rabbit.management },
    { urls: ['https://mq-admin/rabbit/'], user: 'admin', password: 's3cret' },
  );
  assert.throws(
    () => loadConfig({ RABBIT_MANAGEMENT_URL: 'amqp://admin:s3cret@mq' }),
    (error: unknown) =>
      error instanceof UsageError &&
      /^RABBIT_MANAGEMENT_URL: expected an http/.test(error.message) &&
      !/s3cret/.test(error.message),
  );
});
