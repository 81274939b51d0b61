/**
 * Retention end to end: lines dated over several days, ingested by the CLI into day partitions, then
 * `prune --keep`: the old days are gone from the three tables, the recent ones kept, the untimed lines
 * gone by when they were received; the same file read again adds no line; `consume --keep` prunes
 * on its own. Real RabbitMQ and MariaDB, a vhost and a database of this file's own.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { assertRollupsMatchLines } from '../helpers/rollups.js';

const DAY_MS = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const now = Date.now();
/** Days ago of the dated lines: 9, 12 and 20 are past a 7-day horizon, the others kept. */
const DAYS_AGO = [0, 1, 3, 9, 12, 20];
const KEEP_DAYS = 7;
const LINES_PER_DAY = 5;
const firstDayKept = dayOf(now - KEEP_DAYS * DAY_MS);

/** A combined-format line at noon UTC `daysAgo` days ago; `status` 2x0 makes it a rejected one. */
function lineOf(daysAgo: number, n: number, status = '200'): string {
  const at = new Date(Date.parse(`${dayOf(now - daysAgo * DAY_MS)}T12:00:00Z`) + n * 1000);
  const stamp =
    `${String(at.getUTCDate()).padStart(2, '0')}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:` +
    `${at.toISOString().slice(11, 19)} +0000`;
  return `10.0.0.${n} - - [${stamp}] "GET /page/${daysAgo}/${n} HTTP/1.1" ${status} ${100 + n} "-" "curl/8.5"`;
}

/** The dated file: LINES_PER_DAY clean lines and one rejected line (with a time) per day. */
function datedLog(): string {
  const lines: string[] = [];
  for (const daysAgo of DAYS_AGO) {
    for (let n = 1; n <= LINES_PER_DAY; n++) lines.push(lineOf(daysAgo, n));
    lines.push(lineOf(daysAgo, 99, '2x0'));
  }
  return `${lines.join('\n')}\n`;
}

let services: TestServices;
let workDir: string;

/** Requests and bytes in the hour rollups of dated.log, and how many hours have some. */
async function rollupTotals(): Promise<{ requests: number; bytes: number; hours: number }> {
  const sql = await services.sql();
  const [rows] = await sql.query<RowDataPacket[]>(
    "SELECT SUM(requests) AS requests, SUM(bytes) AS bytes, COUNT(*) AS hours FROM rollup_hour WHERE source = 'dated.log'",
  );
  return {
    requests: Number(rows[0]?.requests),
    bytes: Number(rows[0]?.bytes),
    hours: Number(rows[0]?.hours),
  };
}

before(async () => {
  services = await createTestServices('retention');
  workDir = await mkdtemp(join(tmpdir(), 'lograbbit-retention-'));
  const setup = await runCli(['setup'], { env: services.env });
  assert.equal(setup.code, 0, setup.stderr);
});

after(async () => {
  await services?.teardown();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function scalar(sql: string, values: unknown[] = []): Promise<number> {
  const [rows] = await (await services.sql()).query<RowDataPacket[]>(sql, values);
  return Number(Object.values(rows[0] ?? {})[0]);
}

/** Rows per table of `source`: dated before the horizon, dated from it on, and untimed. */
async function countsOf(
  source: string,
): Promise<Record<string, { old: number; kept: number; untimed: number }>> {
  const counts: Record<string, { old: number; kept: number; untimed: number }> = {};
  for (const [table, column] of [
    ['raw_log', 'day'],
    ['clean_log', 'ts'],
    ['rejected_log', 'day'],
  ] as const) {
    const where = `source = ? AND ${column}`;
    counts[table] = {
      old: await scalar(`SELECT COUNT(*) FROM ${table} WHERE ${where} > '1000-01-01' AND ${column} < ?`, [
        source,
        firstDayKept,
      ]),
      kept: await scalar(`SELECT COUNT(*) FROM ${table} WHERE ${where} >= ?`, [source, firstDayKept]),
      untimed: await scalar(`SELECT COUNT(*) FROM ${table} WHERE ${where} = '1000-01-01'`, [source]),
    };
  }
  return counts;
}

async function partitionsOf(table: string): Promise<string[]> {
  const [rows] = await (
    await services.sql()
  ).query<RowDataPacket[]>(
    `SELECT PARTITION_NAME AS name FROM information_schema.PARTITIONS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY PARTITION_ORDINAL_POSITION`,
    [table],
  );
  return rows.map((row) => String(row.name));
}

const keptDays = DAYS_AGO.filter((days) => days < KEEP_DAYS).length;
const oldDays = DAYS_AGO.length - keptDays;

describe('retention', () => {
  test('setup makes a partition for each day up to a week ahead, and the untimed and catch-all ones', async () => {
    const ahead = `p${dayOf(now + 7 * DAY_MS).replaceAll('-', '')}`;
    for (const table of ['raw_log', 'clean_log', 'rejected_log']) {
      const names = await partitionsOf(table);
      assert.equal(names[0], 'p_untimed', table);
      assert.equal(names.at(-1), 'p_future', table);
      assert.ok(names.includes(ahead), `${table} has ${ahead}: ${names.join(' ')}`);
      assert.ok(names.includes(`p${dayOf(now - 20 * DAY_MS).replaceAll('-', '')}`), `${table}: 20 days back`);
    }
  });

  test('prune --keep drops the old days from the three tables, keeps the recent ones, and the untimed lines by when they came', async () => {
    const dated = join(workDir, 'dated.log');
    const untimed = join(workDir, 'untimed.log');
    await writeFile(dated, datedLog());
    await writeFile(untimed, 'no time in this line 1\nno time in this line 2\nno time in this line 3\n');
    const ingest = await runCli(['ingest', dated, untimed], { env: services.env });
    assert.equal(ingest.code, 0, ingest.stderr);

    const before = await countsOf('dated.log');
    assert.deepEqual(before.raw_log, { old: oldDays * 6, kept: keptDays * 6, untimed: 0 });
    assert.deepEqual(before.clean_log, { old: oldDays * 5, kept: keptDays * 5, untimed: 0 });
    assert.deepEqual(before.rejected_log, { old: oldDays, kept: keptDays, untimed: 0 });
    // The untimed lines: as if received a month ago (one of them today, which stays).
    const sql = await services.sql();
    for (const table of ['raw_log', 'rejected_log']) {
      await sql.query(
        `UPDATE ${table} SET received_at = UTC_TIMESTAMP() - INTERVAL 30 DAY
          WHERE source = 'untimed.log' AND line NOT LIKE '%3'`,
      );
    }
    assert.equal((await countsOf('untimed.log')).raw_log?.untimed, 3);

    await assertRollupsMatchLines(services);
    const rollupsBefore = await rollupTotals();
    assert.equal(rollupsBefore.requests, DAYS_AGO.length * LINES_PER_DAY, 'every clean line counted');

    const dryRun = await runCli(['prune', '--keep', `${KEEP_DAYS}d`, '--dry-run'], { env: services.env });
    assert.equal(dryRun.code, 0, dryRun.stderr);
    assert.match(dryRun.stdout, /would remove/);
    assert.deepEqual(await countsOf('dated.log'), before, 'a dry run removes nothing');

    const pruned = await runCli(['prune', '--keep', `${KEEP_DAYS}d`, '--json'], { env: services.env });
    assert.equal(pruned.code, 0, pruned.stderr);
    const report = JSON.parse(pruned.stdout) as {
      linesFrom: string;
      tables: Array<{ table: string; days: string[]; untimedDeleted: number }>;
    };
    assert.equal(report.linesFrom, firstDayKept);
    for (const table of report.tables) {
      for (const daysAgo of DAYS_AGO.filter((days) => days >= KEEP_DAYS)) {
        assert.ok(table.days.includes(dayOf(now - daysAgo * DAY_MS)), `${table.table}: ${daysAgo} days ago`);
      }
    }
    assert.equal(report.tables.find((table) => table.table === 'raw_log')?.untimedDeleted, 2);

    const after = await countsOf('dated.log');
    assert.deepEqual(after.raw_log, { old: 0, kept: keptDays * 6, untimed: 0 });
    assert.deepEqual(after.clean_log, { old: 0, kept: keptDays * 5, untimed: 0 });
    assert.deepEqual(after.rejected_log, { old: 0, kept: keptDays, untimed: 0 });
    const untimedAfter = await countsOf('untimed.log');
    assert.equal(untimedAfter.raw_log?.untimed, 1, 'the untimed line received today stays');
    assert.equal(untimedAfter.rejected_log?.untimed, 1);
    assert.equal(
      await scalar("SELECT DATE_FORMAT(lines_from, '%Y-%m-%d') = ? FROM retention_horizon", [firstDayKept]),
      1,
    );

    // The same file again, through produce and consume: the old lines are past the horizon, the
    // recent ones already stored.
    const produce = await runCli(['produce', dated], { env: services.env });
    assert.equal(produce.code, 0, produce.stderr);
    const consume = await runCli(['consume', '--until-idle'], { env: services.env });
    assert.equal(consume.code, 0, consume.stderr);
    assert.deepEqual(await countsOf('dated.log'), after, 're-reading the file adds no line');
    // The rollups outlive the lines (--keep-rollups is 400 days by default), the pruned lines read
    // again are not counted again, and the days still kept match their lines.
    assert.deepEqual(
      await rollupTotals(),
      rollupsBefore,
      'the rollups kept every day, each line counted once',
    );
    await assertRollupsMatchLines(services);
  });

  test('a bad --keep is one line and exit 2', async () => {
    for (const args of [
      ['prune', '--keep', '14x'],
      ['prune', '--keep', '30m'],
      ['prune'],
      ['consume', '--keep', 'forever'],
      ['prune', '--keep', '1d', '--keep-rollups', '-3d'],
    ]) {
      const result = await runCli(args, { env: services.env });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /--keep/);
    }
  });

  test('consume --keep prunes on its own, every interval', async () => {
    const file = join(workDir, 'consumed.log');
    await writeFile(file, datedLog());
    // Stored first with no horizon in the way: a horizon a year back lets every line in.
    const sql = await services.sql();
    await sql.query('UPDATE retention_horizon SET lines_from = UTC_DATE() - INTERVAL 365 DAY');
    const ingest = await runCli(['ingest', file], { env: services.env });
    assert.equal(ingest.code, 0, ingest.stderr);
    assert.equal((await countsOf('consumed.log')).clean_log?.old, oldDays * 5);

    const consume = startCli(['consume', '--keep', `${KEEP_DAYS}d`, '--prune-interval-ms', '500'], {
      env: { ...services.env, LOG_LEVEL: 'info' },
    });
    try {
      await waitFor(
        'consume to prune the old days',
        async () => {
          const counts = await countsOf('consumed.log');
          return Object.values(counts).every((table) => table.old === 0);
        },
        30_000,
      );
      await waitFor(
        'the log line of a prune',
        () => /pruned the lines older than --keep/.test(consume.stdout() + consume.stderr()),
        10_000,
      );
      assert.deepEqual((await countsOf('consumed.log')).clean_log, {
        old: 0,
        kept: keptDays * 5,
        untimed: 0,
      });
    } finally {
      consume.kill('SIGINT');
      await consume.exited;
    }
  });
});
