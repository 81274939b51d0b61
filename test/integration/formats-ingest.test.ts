/**
 * Every format through the real pipeline: the fixture directory (one file per format) is ingested by
 * the real CLI, given as one argument, into the local RabbitMQ and MariaDB, in one run with
 * `--format auto`; each source must be stored with its own format and its exact counts, and
 * enrichment (geo, user agent, referrer host) must be filled for public addresses and empty for
 * private ones. A custom nginx format is ingested with --log-format. A directory without a log file
 * is a usage error.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
  // Another name than in the fixture directory, where auto-detection reads its lines as combined.
  await copyFile(join(FIXTURES, 'custom-nginx.log'), join(workDir, 'custom.log'));
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

async function nonBlankLines(format: string): Promise<string[]> {
  const text = await readFile(join(FIXTURES, `${format}.log`), 'utf8');
  return text.split('\n').filter((line) => line.trim() !== '');
}

async function requestLines(format: string): Promise<number> {
  return (await nonBlankLines(format)).filter((line) => !line.startsWith('#')).length;
}

describe('ingest of every format', () => {
  test('a mixed directory, one argument: each source stored with its own format, exact counts', async () => {
    const result = await runCli(['ingest', FIXTURES, '--json'], {
      env: { ...services.env, LOG_LEVEL: 'info' },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { inputs: number }).inputs, FORMATS.length + 1);

    const perSource = await rows(
      `SELECT source,
              (SELECT COUNT(*) FROM raw_log r WHERE r.source = s.source) AS raw,
              (SELECT COUNT(*) FROM clean_log c WHERE c.source = s.source) AS clean,
              (SELECT COUNT(*) FROM rejected_log j WHERE j.source = s.source) AS rejected,
              (SELECT GROUP_CONCAT(DISTINCT format) FROM clean_log c WHERE c.source = s.source) AS formats
         FROM (SELECT DISTINCT source FROM raw_log) s ORDER BY source`,
    );
    const expected = [];
    for (const format of [...FORMATS, 'custom-nginx'].sort()) {
      const lines = await nonBlankLines(format);
      const parsed = await requestLines(format);
      expected.push({
        source: `${format}.log`,
        raw: lines.length,
        clean: parsed,
        rejected: lines.length - parsed,
        // nginx's combined + "$http_x_forwarded_for" rt=… uct="…": auto-detection reads it as combined.
        formats: format === 'custom-nginx' ? 'combined' : format,
      });
    }
    assert.deepEqual(
      perSource.map((row) => ({
        source: String(row.source),
        raw: Number(row.raw),
        clean: Number(row.clean),
        rejected: Number(row.rejected),
        formats: row.formats === null ? null : String(row.formats),
      })),
      expected,
    );
    // Rejected: the W3C header directives only.
    const rejected = await rows('SELECT source, reason FROM rejected_log ORDER BY source');
    assert.ok(rejected.length > 0);
    for (const row of rejected)
      assert.deepEqual([row.source, /^w3c: directive/.test(String(row.reason))], ['w3c.log', true]);
    // The appended fields, read without --log-format.
    const appended = await rows(
      `SELECT request_time_ms, JSON_UNQUOTE(JSON_EXTRACT(extra, '$.urt')) AS urt, damage FROM clean_log
        WHERE source = 'custom-nginx.log' ORDER BY event_id`,
    );
    assert.deepEqual(
      appended.map((row): unknown[] => [
        Number(row.request_time_ms),
        row.urt as unknown,
        row.damage as unknown,
      ]),
      [
        [2, '0.002', null],
        [1503, '1.001, 0.500', null],
        [0, null, null],
      ],
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
    const file = join(workDir, 'custom.log');
    const result = await runCli(
      ['ingest', file, '--log-format', CUSTOM_NGINX, '--no-geo', '--no-user-agent', '--json'],
      { env: services.env },
    );
    assert.equal(result.code, 0, result.stderr);
    const stored = await rows(
      `SELECT format, ip, country_code, geo_db, browser, is_bot, request_time_ms, extra FROM clean_log WHERE source = 'custom.log' ORDER BY event_id`,
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
      ['ingest', join(workDir, 'custom.log'), '--log-format', '$remote_addr $status'],
      { env: services.env },
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--log-format: the format has no time variable/);
  });

  test('a directory without a log file is a usage error, for ingest and produce', async () => {
    const empty = join(workDir, 'no-logs');
    await mkdir(join(empty, 'subdirectory'), { recursive: true });
    await writeFile(join(empty, '.hidden.log'), await readFile(join(FIXTURES, 'common.log')));
    await writeFile(join(empty, 'access.log.1.gz'), 'not read');
    const rawBefore = await rows('SELECT COUNT(*) AS n FROM raw_log');
    for (const command of ['ingest', 'produce']) {
      const result = await runCli([command, join(FIXTURES, 'common.log'), empty], { env: services.env });
      assert.equal(result.code, 2, `${command}: ${result.stderr}`);
      assert.equal(
        result.stderr.trim(),
        `lograbbit: ${empty}: a directory with no log file in it (subdirectories, hidden and compressed files are skipped)`,
      );
    }
    assert.deepEqual(await rows('SELECT COUNT(*) AS n FROM raw_log'), rawBefore, 'nothing was sent');
  });
});
