/**
 * `lograbbit ingest` end to end, as a user runs it: a real file, the real CLI, the local RabbitMQ
 * and MariaDB. Every test ends with exact counts and compares stored bytes with the file's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { assertExactlyOnce, expectedLines, storedCounts } from '../helpers/stored-lines.js';
import { createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { REPO_ROOT, runCli, startCli } from '../helpers/cli.js';
import { Connection, ConsumerStatus } from 'rabbitmq-client';

const SAMPLE = join(REPO_ROOT, 'samples', 'access.log');

let services: TestServices;
let workDir: string;

before(async () => {
  services = await createTestServices('ingest');
  const setup = await runCli(['setup'], { env: services.env });
  assert.equal(setup.code, 0, setup.stderr);
  workDir = await mkdtemp(join(tmpdir(), 'lograbbit-ingest-'));
});

after(async () => {
  await services?.teardown();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const counts = (source: string) => storedCounts(services, source);

describe('lograbbit ingest', () => {
  test('stores every line of the sample raw, and each in clean_log or rejected_log', async () => {
    const content = await readFile(SAMPLE);
    const lines = expectedLines(content);
    assert.ok(lines.length >= 200, 'the sample has a few hundred lines');

    const ingest = await runCli(['ingest', SAMPLE, '--json'], { env: services.env });
    assert.equal(ingest.code, 0, ingest.stderr);
    const report = JSON.parse(ingest.stdout.trim().split('\n').at(-1) ?? '{}') as {
      read: { lines: number };
      stored: { raw: { newRows: number }; clean: { parsed: number; rejected: number } };
    };
    assert.equal(report.read.lines, lines.length);
    assert.equal(report.stored.raw.newRows, lines.length);

    await assertExactlyOnce(services, 'access.log', lines);
    const stored = await counts('access.log');
    assert.equal(stored.clean, report.stored.clean.parsed);
    assert.ok(stored.rejected >= 1, 'the sample carries lines no format accepts');
  });

  test('ingesting the same file again adds no row', async () => {
    const before = await counts('access.log');
    const again = await runCli(['ingest', SAMPLE, '--json'], { env: services.env });
    assert.equal(again.code, 0, again.stderr);
    const report = JSON.parse(again.stdout.trim()) as {
      stored: { raw: { newRows: number; alreadyStored: number }; clean: { newRows: number } };
    };
    assert.equal(report.stored.raw.newRows, 0);
    assert.equal(report.stored.clean.newRows, 0);
    assert.equal(report.stored.raw.alreadyStored, before.raw);
    assert.deepEqual(await counts('access.log'), before);
  });

  test("stores the fields of a proxy line, in UTC with the line's own offset", async () => {
    const file = join(workDir, 'proxy.log');
    await writeFile(
      file,
      [
        '203.0.113.7 Xy7Pq2LmN4rT8vB jane.doe@example.org [31/Dec/2022:23:30:15 -0500] "GET https://journals.example.org:443/search?q=heart%20failure&page=2 HTTP/1.1" 404 30013 -',
        '2001:db8::42 - - [01/Nov/2022:10:06:45 +0530] "HEAD https://app.example.com/api/v1/events HTTP/2.0" 200 - -',
        '2001:db8::42 - - [01/Nov/2022:10:06:45 +0530] "HEAD https://app.example.com/api/v1/events HTTP/2.0" 200 - -',
      ].join('\n') + '\n',
    );
    const result = await runCli(['ingest', file], { env: services.env });
    assert.equal(result.code, 0, result.stderr);
    const sql = await services.sql();
    const [rows] = await sql.query<RowDataPacket[]>(
      `SELECT format, ts, utc_offset_min, year, month, day, day_of_week, time, ip, session, user, is_email,
              email_domain, method, url, scheme, host, port, path, query, http_version, status, status_text,
              bytes, size_kb, size_mb, country, city
         FROM clean_log WHERE source = 'proxy.log' ORDER BY event_id`,
    );
    assert.equal(rows.length, 3, 'two identical lines are two rows');
    assert.deepEqual(
      { ...rows[0] },
      {
        format: 'proxy',
        ts: '2023-01-01 04:30:15.000',
        utc_offset_min: -300,
        year: 2023,
        month: 1,
        day: 1,
        day_of_week: 'Sunday',
        time: '04:30:15',
        ip: '203.0.113.7',
        session: 'Xy7Pq2LmN4rT8vB',
        user: 'jane.doe@example.org',
        is_email: 1,
        email_domain: 'example.org',
        method: 'GET',
        url: 'https://journals.example.org:443/search?q=heart%20failure&page=2',
        scheme: 'https',
        host: 'journals.example.org',
        port: 443,
        path: '/search',
        query: 'q=heart%20failure&page=2',
        http_version: 'HTTP/1.1',
        status: 404,
        status_text: 'Not Found',
        bytes: 30013,
        size_kb: 30013 / 1024,
        size_mb: 30013 / 1024 / 1024,
        country: null,
        city: null,
      },
    );
    assert.equal(rows[1]?.ip, '2001:db8::42', 'IPv6 addresses are kept whole');
    assert.equal(rows[1]?.ts, '2022-11-01 04:36:45.000');
    assert.equal(rows[1]?.method, 'HEAD');
    assert.equal(rows[1]?.session, null);
    assert.equal(rows[1]?.user, null);
    assert.equal(rows[1]?.bytes, 0, '- counts as 0 bytes');
    assert.equal(rows[1]?.port, 443);
  });

  test('keeps hostile lines byte for byte and files each as parsed or rejected', async () => {
    const file = join(workDir, 'hostile.log');
    const combined =
      '198.51.100.9 - - [10/Oct/2000:13:55:36 -0700] "GET /a?id=1%27%20OR%201=1;--&q=\\"x\\" HTTP/1.1" 200 12 "-" "sqlmap/1.0 \'; DROP TABLE clean_log; --"';
    const content = Buffer.concat([
      Buffer.from(`${combined}\r\n`),
      Buffer.from('   \n\t\n\n'), // blank lines: counted and skipped
      Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x42, 0x0a]), // invalid UTF-8 and a NUL byte
      Buffer.from(`${'x'.repeat(70_000)}\n`), // longer than --max-line-bytes
      Buffer.from('"\\x16\\x03\\x01\\x00" \u00e9t\u00e9 \u{1F600}\n'),
      Buffer.from(
        '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 999999 100000000000000000000\n',
      ),
      Buffer.from('127.0.0.1 - - [31/Feb/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1\n'),
      Buffer.from(`${combined}`), // last line without its newline
    ]);
    await writeFile(file, content);
    const result = await runCli(['ingest', file, '--max-line-bytes', '65536', '--json'], {
      env: services.env,
    });
    assert.equal(result.code, 0, result.stderr);

    await assertExactlyOnce(services, 'hostile.log', expectedLines(content, 65536));
    const stored = await counts('hostile.log');
    assert.equal(stored.clean, 2, 'the two combined lines parse, quotes and SQL text included');

    const sql = await services.sql();
    const [truncated] = await sql.query<RowDataPacket[]>(
      "SELECT LENGTH(line) AS bytes FROM raw_log WHERE source = 'hostile.log' AND truncated",
    );
    assert.deepEqual(
      truncated.map((row) => Number(row.bytes)),
      [65536],
    );
    const [reasons] = await sql.query<RowDataPacket[]>(
      "SELECT reason FROM rejected_log WHERE source = 'hostile.log' ORDER BY event_id",
    );
    assert.equal(reasons.length, 5);
    for (const { reason } of reasons) assert.match(String(reason), /\w{3,}/, 'every rejection says why');
    assert.ok(reasons.some(({ reason }) => /maximum line length/.test(String(reason))));
    const [clean] = await sql.query<RowDataPacket[]>(
      "SELECT user_agent, query FROM clean_log WHERE source = 'hostile.log' LIMIT 1",
    );
    assert.equal(clean[0]?.user_agent, "sqlmap/1.0 '; DROP TABLE clean_log; --");
    assert.equal(clean[0]?.query, 'id=1%27%20OR%201=1;--&q="x"', 'an escaped quote is read as a quote');
  });

  test('--batch-lines 1 (one message per line, as the reference) stores the same', async () => {
    const file = join(workDir, 'single.log');
    const lines = Array.from(
      { length: 50 },
      (_, index) =>
        `192.0.2.${index} - - [01/Nov/2022:00:00:${String(index % 60).padStart(2, '0')} +0000] "GET /p/${index} HTTP/1.1" 200 ${index}`,
    );
    await writeFile(file, `${lines.join('\n')}\n`);
    const result = await runCli(['ingest', file, '--batch-lines', '1', '--json'], { env: services.env });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout.trim()) as { published: { messages: number } };
    assert.equal(report.published.messages, 50);
    assert.deepEqual(await counts('single.log'), {
      raw: 50,
      clean: 50,
      rejected: 0,
      inBoth: 0,
      inNeither: 0,
    });
  });

  test('waits for its lines that another consumer holds, and says all are stored', async () => {
    const file = join(workDir, 'shared.log');
    const lines = Array.from(
      { length: 50 },
      (_, index) =>
        `192.0.2.${index} - - [01/Nov/2022:00:00:00 +0000] "GET /s/${index} HTTP/1.1" 200 ${index}`,
    );
    await writeFile(file, `${lines.join('\n')}\n`);
    // Another consumer of data-clean: it holds the first message it gets for 2 s, well after ingest's
    // own queues are drained, then hands it back (requeued, so ingest's consumer stores it).
    const rabbit = new Connection({
      url: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(services.vhost)}`,
    });
    let held = 0;
    const other = rabbit.createConsumer(
      { queue: 'data-clean', queueOptions: { passive: true }, qos: { prefetchCount: 1 } },
      async () => {
        if (held++ === 0) await new Promise((resolve) => setTimeout(resolve, 2000));
        return ConsumerStatus.REQUEUE;
      },
    );
    try {
      const ingest = startCli(['ingest', file, '--batch-lines', '10', '--json', '--no-geo'], {
        env: services.env,
      });
      const result = await ingest.exited;
      // What is stored when it says so, before the other consumer could be closed.
      const stored = await counts('shared.log');
      assert.equal(result.code, 0, result.stderr);
      assert.ok(held >= 1, 'the other consumer got a message of the ingest');
      assert.deepEqual(stored, { raw: 50, clean: 50, rejected: 0, inBoth: 0, inNeither: 0 });
      const report = JSON.parse(result.stdout.trim()) as { storedLines: Record<string, unknown> };
      assert.deepEqual(report.storedLines, { all: true, lines: 50, raw: 50, clean: 50, rejected: 0 });
    } finally {
      await other.close();
      await rabbit.close();
    }
  });

  test('names each input most of whose lines were rejected, once, with the likely cause', async () => {
    const dir = join(workDir, 'mixed');
    await mkdir(dir);
    await writeFile(join(dir, 'README.md'), '# Logs\n\nThese are the logs of the web server.\nKeep them.\n');
    await writeFile(
      join(dir, 'program'),
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0x0a, 0, 1, 2, 3]),
    );
    await copyFile(SAMPLE, join(dir, 'good.log'));
    const result = await runCli(['ingest', dir, '--no-geo'], { env: services.env });
    assert.equal(result.code, 0, result.stderr);
    const warnings = result.stdout.split('\n').filter((line) => line.startsWith('  warning'));
    assert.deepEqual(warnings, [
      `  warning    ${join(dir, 'README.md')}: 3 of 3 lines rejected (100%): not an access log? no format matched its lines (format: auto; closest: proxy)`,
      `  warning    ${join(dir, 'program')}: 2 of 2 lines rejected (100%): not text: a binary file?`,
    ]);
    assert.match(
      result.stdout,
      /stored {5}all 311 lines, by this process or another consumer: 305 in clean_log, 6 in rejected_log/,
    );
  });
});
