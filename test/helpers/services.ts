/**
 * Real services for integration tests: a vhost of its own on the local RabbitMQ and a database of its
 * own on the local MariaDB, made for one test file and removed after it, so runs never see each
 * other's data. Nothing here mocks the broker or the database.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import type { DatabaseEndpoint } from '../../src/store/index.js';

const run = promisify(execFile);

export interface TestServices {
  /** Environment for lograbbit: RABBIT_* and DB_* pointing at this test's vhost and database. */
  readonly env: Record<string, string>;
  readonly vhost: string;
  readonly database: string;
  /** The connection to this test's database, for assertions (one, opened on first use). */
  sql(): Promise<mysql.Connection>;
  teardown(): Promise<void>;
}

export const RABBIT_HOST = process.env.TEST_RABBIT_HOST ?? '127.0.0.1';
export const DB_HOST = process.env.TEST_DB_HOST ?? '127.0.0.1';

async function rabbitmqctl(...args: string[]): Promise<void> {
  await run('rabbitmqctl', ['-q', ...args], { timeout: 60_000 });
}

/**
 * Creates a vhost and a database named after `label` and a random suffix; `{ vhost: false }` for a
 * test that brings a broker of its own (the vhost is then named but not made on the local broker).
 */
export async function createTestServices(
  label: string,
  options: { readonly vhost?: boolean } = {},
): Promise<TestServices> {
  const suffix = `${label.replace(/[^a-z0-9]/gi, '_').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const vhost = `lograbbit_test_${suffix}`;
  const database = `lograbbit_test_${suffix}`;
  const ownVhost = options.vhost !== false;
  if (ownVhost) {
    await rabbitmqctl('add_vhost', vhost);
    await rabbitmqctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
  }
  let connection: Promise<mysql.Connection> | undefined;
  return {
    vhost,
    database,
    env: {
      RABBIT_HOST,
      RABBIT_PORT: '5672',
      RABBIT_USER: 'guest',
      RABBIT_PASSWORD: 'guest',
      RABBIT_VHOST: vhost,
      DB_HOST,
      DB_PORT: '3306',
      DB_USER: 'root',
      DB_PASSWORD: '',
      DB_NAME: database,
      LOG_LEVEL: 'warn',
    },
    sql() {
      connection ??= mysql.createConnection({
        host: DB_HOST,
        user: 'root',
        database,
        timezone: 'Z',
        dateStrings: true,
        supportBigNumbers: true,
      });
      return connection;
    },
    async teardown() {
      if (connection) await (await connection).end().catch(() => undefined);
      const admin = await mysql.createConnection({ host: DB_HOST, user: 'root' });
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await admin.end();
      if (ownVhost) await rabbitmqctl('delete_vhost', vhost);
    },
  };
}

/** Where the product's own store (openStore) finds this test's database, or `database` beside it. */
export function endpointOf(services: TestServices, database = services.database): DatabaseEndpoint {
  return { host: DB_HOST, port: 3306, database, user: 'root', password: '', address: 'test' };
}
