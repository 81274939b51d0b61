/**
 * Every format through the real pipeline: a directory with one fixture file per format is ingested
 * by the real CLI into the local RabbitMQ and MariaDB, in one run with `--format auto`; each source
 * must be stored with its own format, and enrichment (geo, user agent, referrer host) must be filled
 * for public addresses and empty for private ones. A custom nginx format is ingested with --log-format.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'formats');
const FORMATS = [
  'proxy',
  'common',
  'combined',
  'vcombined',
  'traefik',
  'alb',
  'squid',
  'w3c',
  'caddy',
  'nginx-json',
];
const CUSTOM_NGINX =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" rt=$request_time uct="$upstream_connect_time" urt="$upstream_response_time" rid=$request_id';

let services: TestServices;
let workDir: string;

before(async () => {
  services = await createTestServices('formats');
  workDir = await mkdtemp(join(tmpdir(), 'lograbbit-formats-'));
  for (const format of [...FORMATS, 'custom-nginx']) {
    await copyFile(join(FIXTURES, `${format}.log`), join(workDir, `${format}.log`));
  }
});

after(async () => {
  await services?.teardown();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function rows(sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
  const connection = await services.sql();
  const [result] = await connection.query<RowDataPacket[]>(sql, params);
  return result;
}

/** A JSON column's value: MariaDB stores JSON as text, which the driver may or may not parse. */
function json(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

async function requestLines(format: string): Promise<number> {
  const text = await readFile(join(FIXTURES, `${format}.log`), 'utf8');
  return text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#')).length;
}

describe('ingest of every format', () => {
  test('a mixed directory: each source stored with its own format, every request line parsed', async () => {
    const files = FORMATS.map((format) => join(workDir, `${format}.log`));
    const result = await runCli(['ingest', ...files, '--json'], {
      env: { ...services.env, LOG_LEVEL: 'info' },
    });
    assert.equal(result.code, 0, result.stderr);

    const stored = await rows(
      'SELECT source, format, COUNT(*) AS n FROM clean_log GROUP BY source, format ORDER BY source',
    );
    const bySource = new Map(
      stored.map((row) => [String(row.source), { format: String(row.format), n: Number(row.n) }]),
    );
    for (const format of FORMATS) {
      assert.deepEqual(bySource.get(`${format}.log`), { format, n: await requestLines(format) }, format);
    }
    const rejected = await rows('SELECT source, reason FROM rejected_log ORDER BY source');
    assert.ok(
      rejected.length > 0 &&
        rejected.every((row) => row.source === 'w3c.log' && /^w3c: directive/.test(String(row.reason))),
      JSON.stringify(rejected),
    );

    // Auto-detection says which format it picked, once per source.
    for (const format of FORMATS) {
      const said = result.stderr
        .split('\n')
        .filter(
          (line) => line.includes('detected the log format') && line.includes(`"source":"${format}.log"`),
        );
      assert.equal(said.length, 1, `${format}: ${said.join('\n')}`);
      assert.ok(said[0]?.includes(`"format":"${format}"`), said[0]);
    }
  });

  test('public addresses get a location, private ones none; user agents and referrers are read', async () => {
    const located = await rows(
      `SELECT source, ip, country, country_code, city, geo_db FROM clean_log WHERE ip IN ('8.8.8.8', '1.1.1.1', '81.2.69.142')`,
    );
    assert.ok(located.length >= 15, `public rows: ${located.length}`);
    const expected: Record<string, string> = { '8.8.8.8': 'US', '1.1.1.1': 'AU', '81.2.69.142': 'GB' };
    for (const row of located) {
      assert.equal(row.country_code, expected[String(row.ip)], `${row.source} ${row.ip}`);
      assert.ok(String(row.country ?? '').length > 2, `${row.source} ${row.ip} country`);
      assert.match(String(row.geo_db), /^DB-IP City Lite \d{4}-\d{2}-\d{2}$/);
    }
    const v6 = await rows(`SELECT country_code FROM clean_log WHERE ip = '2001:4860:4860::8888'`);
    assert.ok(
      v6.length >= 5 && v6.every((row) => /^[A-Z]{2}$/.test(String(row.country_code))),
      JSON.stringify(v6),
    );

    const privateRows = await rows(
      `SELECT source, ip, country, country_code, city, geo_db FROM clean_log
        WHERE ip LIKE '10.%' OR ip LIKE '192.168.%' OR ip LIKE '127.%' OR ip LIKE '172.1_.%' OR ip LIKE '203.0.113.%' OR ip LIKE '2001:db8:%'`,
    );
    assert.ok(privateRows.length >= 10, `private rows: ${privateRows.length}`);
    for (const row of privateRows) {
      assert.deepEqual(
        [row.country, row.country_code, row.city, row.geo_db],
        [null, null, null, null],
        `${row.source} ${row.ip}`,
      );
    }

    const [chrome] = await rows(
      `SELECT browser, browser_version, os, device, is_bot, referrer_host FROM clean_log WHERE source = 'vcombined.log' AND ip = '8.8.8.8'`,
    );
    assert.deepEqual(
      { ...chrome },
      {
        browser: 'Chrome',
        browser_version: '122.0.0.0',
        os: 'Windows 10',
        device: 'desktop',
        is_bot: 0,
        referrer_host: 'www.google.com',
      },
    );
    const [bot] = await rows(
      `SELECT device, is_bot FROM clean_log WHERE source = 'vcombined.log' AND ip = '1.1.1.1'`,
    );
    assert.deepEqual({ ...bot }, { device: 'bot', is_bot: 1 });
    const [noUa] = await rows(`SELECT browser, is_bot FROM clean_log WHERE source = 'squid.log' LIMIT 1`);
    assert.deepEqual({ ...noUa }, { browser: null, is_bot: null });
    const [forwarded] = await rows(
      `SELECT ip, forwarded_for, request_time_ms, extra FROM clean_log WHERE source = 'nginx-json.log' AND forwarded_for IS NOT NULL`,
    );
    assert.deepEqual(
      { ...forwarded, extra: json(forwarded?.extra) },
      {
        ip: '1.1.1.1',
        forwarded_for: '1.1.1.1, 10.0.0.5',
        request_time_ms: 41,
        extra: { remote_addr: '10.0.0.5', request_id: '7f9a2c', upstream_response_time: '0.020, 0.019' },
      },
    );
  });

  test('a custom nginx format with --log-format, enrichment off with --no-geo --no-user-agent', async () => {
    const file = join(workDir, 'custom-nginx.log');
    const result = await runCli(
      ['ingest', file, '--log-format', CUSTOM_NGINX, '--no-geo', '--no-user-agent', '--json'],
      { env: services.env },
    );
    assert.equal(result.code, 0, result.stderr);
    const stored = await rows(
      `SELECT format, ip, country_code, geo_db, browser, is_bot, request_time_ms, extra FROM clean_log WHERE source = 'custom-nginx.log' ORDER BY event_id`,
    );
    assert.equal(stored.length, await requestLines('custom-nginx'));
    for (const row of stored)
      assert.deepEqual(
        [row.format, row.country_code, row.geo_db, row.browser, row.is_bot],
        ['custom', null, null, null, null],
      );
    assert.deepEqual(
      [
        stored[1]?.ip,
        stored[1]?.request_time_ms,
        (json(stored[1]?.extra) as Record<string, string>).request_id,
      ],
      ['1.1.1.1', 1503, '2c26b46b68ffc68f'],
    );
  });

  test('a bad --log-format is a usage error naming the option', async () => {
    const result = await runCli(
      ['ingest', join(workDir, 'custom-nginx.log'), '--log-format', '$remote_addr $status'],
      { env: services.env },
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--log-format: the format has no time variable/);
  });
});
