/**
 * "Nothing lost" where the database is the adversary, with real processes against the real MariaDB:
 * a value no column can hold, a row the database still refuses, a refusal that hits every write
 * (a revoked privilege, a column made too small), and a line larger than max_allowed_packet. Each
 * reproduces a finding of an adversarial run and ends with the exact-once check.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { DB_HOST, createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { freePort } from '../helpers/ports.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { assertExactlyOnce, expectedLines, rawRowCount, storedCounts } from '../helpers/stored-lines.js';
import { writeAccessLog } from '../helpers/log-file.js';

let services: TestServices;
let dir: string;

beforeEach(async (context) => {
  services = await createTestServices(context.name.split(' ')[0] ?? 'store');
  dir = await mkdtemp(join(tmpdir(), 'lograbbit-store-'));
  assert.equal((await runCli(['setup'], { env: services.env })).code, 0);
});

afterEach(async () => {
  await services.teardown();
  await rm(dir, { recursive: true, force: true });
});

async function query(sql: string, values: unknown[] = []): Promise<RowDataPacket[]> {
  const [rows] = await (await services.sql()).query<RowDataPacket[]>(sql, values);
  return rows;
}

/** `stored.deadMessages` of a command's `--json` report. */
function deadMessagesOf(stdout: string): number {
  return (JSON.parse(stdout) as { stored: { deadMessages: number } }).stored.deadMessages;
}

/** A caddy line whose duration is `duration`, as written (JSON). */
const caddyLine = (index: number, duration: string): string =>
  `{"level":"info","ts":1710231541.${String(index).padStart(3, '0')},"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"192.0.2.${index % 250}","proto":"HTTP/1.1","method":"GET","host":"example.com","uri":"/p/${index}","headers":{"User-Agent":["curl/8"]}},"bytes_read":0,"duration":${duration},"size":10,"status":200,"resp_headers":{}}`;

describe('values and refusals: every line stored once, nothing dead-lettered', () => {
  test('odd: a duration no column can hold is dropped and flagged; its neighbours are stored', async () => {
    const lines = Array.from({ length: 300 }, (_, index) =>
      caddyLine(index, index === 150 ? '1e308' : index === 151 ? `1${'0'.repeat(400)}` : '0.002'),
    );
    const file = join(dir, 'caddy.log');
    const content = Buffer.from(`${lines.join('\n')}\n`);
    await writeFile(file, content);
    const result = await runCli(['ingest', file, '--format', 'caddy', '--no-geo', '--json'], {
      env: services.env,
    });
    assert.equal(result.code, 0, result.stderr);
    await assertExactlyOnce(services, 'caddy.log', expectedLines(content));
    const [counts] = await query(
      `SELECT COUNT(*) AS clean, SUM(damage = 'dropped:request_time_ms') AS damaged,
              SUM(request_time_ms IS NULL) AS no_time FROM clean_log`,
    );
    assert.equal(Number(counts?.clean), 300, 'every line parsed, the odd ones too');
    // 1e308 s is a finite number of seconds, but no DOUBLE of milliseconds: dropped and flagged. The
    // 400 digits are no finite number at all, which the parser leaves out by itself.
    assert.equal(Number(counts?.damaged), 1);
    assert.equal(Number(counts?.no_time), 2);
    assert.equal(deadMessagesOf(result.stdout), 0);
  });

  test('constraint: a row the database still refuses goes alone to rejected_log with its reason', async () => {
    // A DBA's rule the pipeline cannot know: it refuses one row, not the message of 100 lines.
    await query('ALTER TABLE clean_log ADD CONSTRAINT no_teapots CHECK (status <> 418)');
    const file = join(dir, 'teapot.log');
    const content = await writeAccessLog(file, 400, 3);
    const teapot = Buffer.from(
      '203.0.113.7 - - [01/Nov/2022:10:00:00 -0500] "GET /brew HTTP/1.1" 418 5 "-" "curl/8"\n',
    );
    const all = Buffer.concat([teapot, content]);
    await writeFile(file, all);
    const result = await runCli(['ingest', file, '--no-geo', '--json'], { env: services.env });
    assert.equal(result.code, 0, result.stderr);
    await assertExactlyOnce(services, 'teapot.log', expectedLines(all));
    const refused = await query(
      "SELECT reason FROM rejected_log WHERE reason LIKE 'refused by the database%'",
    );
    assert.equal(refused.length, 1, 'the teapot line alone');
    assert.match(String(refused[0]?.reason), /no_teapots/);
    assert.equal(deadMessagesOf(result.stdout), 0);
  });

  test('dead: a line refused in every form ends in data-dead alone, and ingest says so with exit 4', async () => {
    await query("ALTER TABLE raw_log ADD CONSTRAINT no_poison CHECK (line NOT LIKE '%poison%')");
    const file = join(dir, 'poison.log');
    const content = await writeAccessLog(file, 300, 4);
    await writeFile(file, Buffer.concat([content, Buffer.from('a poison line\n')]));
    const result = await runCli(['ingest', file, '--no-geo', '--batch-lines', '100', '--json'], {
      env: services.env,
    });
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /1 message was moved to data-dead.*dead list/);
    assert.equal(deadMessagesOf(result.stdout), 1);
    // The other lines of the poison's message are stored: only that one line is kept in data-dead.
    assert.equal(await rawRowCount(services, 'poison.log'), 300);
    const dead = await runCli(['dead', 'list', '--json'], { env: services.env });
    const letters = dead.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { reason: string });
    assert.equal(letters.length, 1);
    assert.match(letters[0]?.reason ?? '', /raw_log: the database refused a row: .*no_poison/);
  });

  test('revoked: a privilege taken away for 15 s is an outage: retried, said once and by /readyz', async () => {
    const user = `lr_${randomBytes(4).toString('hex')}`;
    const admin = await mysql.createConnection({ host: DB_HOST, user: 'root' });
    try {
      await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'`);
      await admin.query(`CREATE USER '${user}'@'localhost' IDENTIFIED BY 'pw'`);
      for (const host of ['%', 'localhost']) {
        // What a consumer needs: it inserts lines and adds to the rollups' counts in place.
        await admin.query(
          `GRANT SELECT, INSERT, UPDATE ON \`${services.database}\`.* TO '${user}'@'${host}'`,
        );
      }
      const env = { ...services.env, DB_USER: user, DB_PASSWORD: 'pw' };
      const port = await freePort();
      const consumer = startCli(['consume', '--no-setup', '--no-geo', '--metrics-port', String(port)], {
        env,
      });
      const file = join(dir, 'revoked.log');
      const content = await writeAccessLog(file, 3000, 5);
      for (const host of ['%', 'localhost']) {
        await admin.query(`REVOKE INSERT ON \`${services.database}\`.* FROM '${user}'@'${host}'`);
      }
      const revokedAt = Date.now();
      assert.equal((await runCli(['produce', file], { env: services.env })).code, 0);
      let readyz: { status: string; checks: Record<string, { ok: boolean; error?: string }> } | undefined;
      await waitFor('/readyz to say why writes stopped', async () => {
        const answer = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        if (answer?.status !== 503) return false;
        readyz = (await answer.json()) as typeof readyz;
        return readyz?.checks.writes?.ok === false;
      });
      assert.match(String(readyz?.checks.writes?.error), /refuses writes: INSERT command denied/);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 15_000 - (Date.now() - revokedAt))));
      for (const host of ['%', 'localhost']) {
        await admin.query(`GRANT INSERT ON \`${services.database}\`.* TO '${user}'@'${host}'`);
      }
      // Both tables: the clean writer may still be in its backoff when the raw one is through.
      await waitFor(
        'every line stored',
        async () => {
          const counts = await storedCounts(services, 'revoked.log');
          return counts.raw === 3000 && counts.clean + counts.rejected === 3000;
        },
        60_000,
      );
      await waitFor(
        '/readyz ready again',
        async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200,
      );
      consumer.kill('SIGTERM');
      const ended = await consumer.exited;
      assert.equal(ended.code, 0, ended.stderr);
      await assertExactlyOnce(services, 'revoked.log', expectedLines(content));
      const dead = await runCli(['dead', 'list', '--json'], { env: services.env });
      assert.equal(dead.stdout.trim(), '', 'nothing dead-lettered');
      const warnings = ended.stderr.split('\n').filter((line) => /retrying with backoff/.test(line));
      assert.ok(
        warnings.length >= 1 && warnings.length <= 2,
        `one warning per table, not per message:\n${ended.stderr}`,
      );
    } finally {
      for (const host of ['%', 'localhost']) await admin.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
      await admin.end();
    }
  });

  test('shrunk: a column made too small is an outage until it is restored, not rejected lines', async () => {
    await query('ALTER TABLE clean_log MODIFY user_agent VARCHAR(5)');
    const port = await freePort();
    const consumer = startCli(['consume', '--no-geo', '--metrics-port', String(port)], { env: services.env });
    const file = join(dir, 'shrunk.log');
    const content = await writeAccessLog(file, 2000, 6);
    assert.equal((await runCli(['produce', file], { env: services.env })).code, 0);
    await waitFor('/readyz to name the changed column', async () => {
      const answer = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      if (answer?.status !== 503) return false;
      const body = (await answer.json()) as { checks: Record<string, { ok: boolean; error?: string }> };
      return /clean_log\.user_agent is varchar\(5\)/.test(body.checks.writes?.error ?? '');
    });
    await query('ALTER TABLE clean_log MODIFY user_agent TEXT');
    await waitFor('every line parsed or rejected', async () => {
      const [row] = await query(
        'SELECT (SELECT COUNT(*) FROM clean_log) + (SELECT COUNT(*) FROM rejected_log) AS n',
      );
      return Number(row?.n) === 2000;
    });
    consumer.kill('SIGTERM');
    assert.equal((await consumer.exited).code, 0);
    await assertExactlyOnce(services, 'shrunk.log', expectedLines(content));
    const refused = await query("SELECT COUNT(*) AS n FROM rejected_log WHERE reason LIKE 'refused%'");
    assert.equal(Number(refused[0]?.n), 0, 'no line was rejected for the changed column');
  });

  test('packet: a line over max_allowed_packet is cut and flagged; its neighbours are stored', async () => {
    const [packet] = await query('SELECT @@max_allowed_packet AS bytes');
    const huge = Number(packet?.bytes) + 1024;
    const file = join(dir, 'packet.log');
    const small = await writeAccessLog(file, 3, 7);
    const line = Buffer.alloc(huge, 0x61);
    const content = Buffer.concat([small, line, Buffer.from('\n'), small]);
    await writeFile(file, content);
    const result = await runCli(
      ['ingest', file, '--no-geo', '--max-line-bytes', String(16 * 1024 * 1024), '--json'],
      { env: services.env, timeoutMs: 180_000 },
    );
    assert.equal(result.code, 0, result.stderr);
    const rows = await query('SELECT LENGTH(line) AS bytes, truncated FROM raw_log ORDER BY bytes DESC');
    assert.equal(rows.length, 7);
    assert.equal(Number(rows[0]?.truncated), 1, 'the long line is flagged');
    assert.ok(Number(rows[0]?.bytes) < Number(packet?.bytes), 'and cut under max_allowed_packet');
    assert.ok(Number(rows[0]?.bytes) > Number(packet?.bytes) / 2, 'but no shorter than it must be');
    const [rejected] = await query('SELECT reason FROM rejected_log WHERE LENGTH(line) > 1000');
    assert.match(String(rejected?.reason), /line longer than/);
    const [clean] = await query('SELECT COUNT(*) AS n FROM clean_log');
    assert.equal(Number(clean?.n), 6);
  });
});
