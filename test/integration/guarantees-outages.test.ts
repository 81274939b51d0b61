/**
 * The delivery promise through outages: RabbitMQ, then MariaDB, unreachable for several seconds
 * while `ingest` streams (a TCP proxy the test owns cuts every connection, so the machine's shared
 * services stay up); every line still ends up exactly once in raw_log and once in clean_log or
 * rejected_log, and each outage is said once. Kills, hostile input and competing consumers are in
 * guarantees.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startCli, waitFor } from '../helpers/cli.js';
import { assertExactlyOnce, expectedLines, rawRowCount } from '../helpers/stored-lines.js';
import { writeAccessLog } from '../helpers/log-file.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { LINES, SLOW_INGEST, useServicesPerTest } from '../helpers/guarantee-suite.js';

const each = useServicesPerTest();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('nothing lost, nothing doubled', () => {
  test('RabbitMQ unreachable for several seconds mid-stream', async () => {
    const { services, dir } = each;
    const file = join(dir, 'broker-outage.log');
    const content = await writeAccessLog(file, LINES, 13);
    const proxy = await startTcpProxy(5672);
    try {
      const env = { ...services.env, RABBIT_PORT: String(proxy.port), LOG_LEVEL: 'info' };
      const ingest = startCli(['ingest', file, ...SLOW_INGEST], { env });
      await waitFor(
        'a quarter of the lines stored',
        async () => (await rawRowCount(services, 'broker-outage.log')) > LINES / 4,
      );
      proxy.cut();
      await sleep(4000);
      assert.ok((await rawRowCount(services, 'broker-outage.log')) < LINES, 'the outage landed mid-stream');
      proxy.restore();
      const result = await ingest.exited;
      assert.equal(result.code, 0, result.stderr);
      assert.equal(
        result.stderr.match(/RabbitMQ connection lost/g)?.length,
        1,
        `said once:\n${result.stderr}`,
      );
      assert.match(result.stderr, /RabbitMQ connection restored/);
      assert.ok(proxy.connectionsOpened >= 2, 'it reconnected');
    } finally {
      await proxy.close();
    }
    await assertExactlyOnce(services, 'broker-outage.log', expectedLines(content));
  });

  test('MariaDB unreachable for several seconds mid-stream', async () => {
    const { services, dir } = each;
    const file = join(dir, 'database-outage.log');
    const content = await writeAccessLog(file, LINES, 14);
    const proxy = await startTcpProxy(3306);
    try {
      const env = { ...services.env, DB_PORT: String(proxy.port), LOG_LEVEL: 'info' };
      const ingest = startCli(['ingest', file, ...SLOW_INGEST], { env });
      await waitFor(
        'a quarter of the lines stored',
        async () => (await rawRowCount(services, 'database-outage.log')) > LINES / 4,
      );
      proxy.cut();
      await sleep(4000);
      assert.ok((await rawRowCount(services, 'database-outage.log')) < LINES, 'the outage landed mid-stream');
      proxy.restore();
      const result = await ingest.exited;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /database unavailable; retrying with backoff/);
      assert.match(result.stderr, /database reachable again/);
      assert.ok(
        (result.stderr.match(/database unavailable/g)?.length ?? 0) <= 2,
        `said once per table writer, not once per message:\n${result.stderr}`,
      );
    } finally {
      await proxy.close();
    }
    await assertExactlyOnce(services, 'database-outage.log', expectedLines(content));
  });
});
