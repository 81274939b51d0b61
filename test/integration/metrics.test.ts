/**
 * `--metrics-port` and `lograbbit stats` as a user runs them: a real `consume` with its /metrics,
 * /healthz and /readyz, fed by `produce`, and a real `run` on a file, against the local RabbitMQ and
 * MariaDB; the counters must equal the lines written and the rows in the database.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import type { RunningCli } from '../helpers/cli.js';
import { createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { freePort } from '../helpers/ports.js';

const GOOD = 250;
const BAD = [
  'not a log line at all',
  'neither is this',
  '10.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET / HTTP/1.1" 2x0 12',
];

/** Combined-format lines, one a minute back from now, with a few statuses. */
function accessLines(n: number): string[] {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number) => String(value).padStart(2, '0');
  return Array.from({ length: n }, (_, i) => {
    const d = new Date(Date.now() - i * 1000);
    const time = `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
    return `10.0.${i % 3}.${i % 11} - - [${time}] "GET /p/${i % 5} HTTP/1.1" ${[200, 404, 500][i % 3]} ${100 + i} "-" "curl/8.0"`;
  });
}

/** One sample of a Prometheus text, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

let services: TestServices;
let workDir: string;
let logFile: string;

before(async () => {
  services = await createTestServices('metrics');
  const setup = await runCli(['setup'], { env: services.env });
  assert.equal(setup.code, 0, setup.stderr);
  workDir = await mkdtemp(join(tmpdir(), 'lograbbit-metrics-'));
  logFile = join(workDir, 'web.log');
  await writeFile(logFile, `${[...accessLines(GOOD), ...BAD].join('\n')}\n`);
});

after(async () => {
  await services?.teardown();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function tableCounts(): Promise<{ raw: number; clean: number; rejected: number }> {
  const sql = await services.sql();
  const [rows] = await sql.query<RowDataPacket[]>(
    `SELECT (SELECT COUNT(*) FROM raw_log) AS raw, (SELECT COUNT(*) FROM clean_log) AS clean,
            (SELECT COUNT(*) FROM rejected_log) AS rejected`,
  );
  const row = rows[0] as { raw: number; clean: number; rejected: number };
  return { raw: Number(row.raw), clean: Number(row.clean), rejected: Number(row.rejected) };
}

describe('metrics and stats', () => {
  test('consume --metrics-port: /metrics counts what the database holds; /healthz and /readyz answer', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const consumer: RunningCli = startCli(['consume', '--metrics-port', String(port), '--no-geo'], {
      env: services.env,
    });
    try {
      await waitFor(
        'the metrics port',
        async () => (await fetch(`${base}/healthz`).catch(() => null))?.ok === true,
      );
      const ready = await fetch(`${base}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), {
        status: 'ready',
        checks: { broker: { ok: true }, database: { ok: true }, writes: { ok: true } },
      });

      const produce = await runCli(['produce', logFile, '--batch-lines', '50', '--json'], {
        env: services.env,
      });
      assert.equal(produce.code, 0, produce.stderr);
      const total = GOOD + BAD.length;
      let text = '';
      await waitFor('every line counted as stored', async () => {
        text = await (await fetch(`${base}/metrics`)).text();
        const clean = sample(text, 'lograbbit_rows_inserted_total', '{table="clean_log"}') ?? 0;
        const rejected = sample(text, 'lograbbit_rows_inserted_total', '{table="rejected_log"}') ?? 0;
        return (
          sample(text, 'lograbbit_rows_inserted_total', '{table="raw_log"}') === total &&
          clean + rejected === total
        );
      });
      const stored = await tableCounts();
      assert.deepEqual(stored, { raw: total, clean: GOOD, rejected: BAD.length });
      assert.equal(sample(text, 'lograbbit_rows_inserted_total', '{table="clean_log"}'), stored.clean);
      assert.equal(sample(text, 'lograbbit_rows_inserted_total', '{table="rejected_log"}'), stored.rejected);
      assert.equal(sample(text, 'lograbbit_lines_consumed_total', '{queue="data-lake"}'), total);
      assert.equal(sample(text, 'lograbbit_lines_consumed_total', '{queue="data-clean"}'), total);
      // 253 lines in messages of 50: 6 messages per queue, each acked after its commit.
      assert.equal(sample(text, 'lograbbit_messages_acked_total', '{queue="data-lake"}'), 6);
      assert.equal(sample(text, 'lograbbit_messages_acked_total', '{queue="data-clean"}'), 6);
      assert.equal(sample(text, 'lograbbit_messages_dead_lettered_total', '{queue="data-clean"}'), undefined);
      const rejects = text.split('\n').filter((line) => line.startsWith('lograbbit_lines_rejected_total{'));
      assert.equal(
        rejects.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0),
        BAD.length,
      );
      assert.equal(sample(text, 'lograbbit_lines_rejected_total', '{reason="bad_status"}'), 1);
      assert.ok((sample(text, 'lograbbit_insert_duration_seconds_count', '{writer="raw_log"}') ?? 0) >= 1);
      assert.equal(sample(text, 'lograbbit_insert_batch_rows_sum', '{writer="raw_log"}'), total);
      await waitFor('the queues read empty', async () => {
        text = await (await fetch(`${base}/metrics`)).text();
        return sample(text, 'lograbbit_queue_messages_ready', '{queue="data-clean"}') === 0;
      });
      assert.equal(sample(text, 'lograbbit_queue_consumers', '{queue="data-clean"}'), 1);
      assert.match(text, /^process_cpu_user_seconds_total /m);
    } finally {
      consumer.kill('SIGINT');
      const exit = await consumer.exited;
      assert.equal(exit.code, 0, exit.stderr);
    }
  });

  test('run: the dashboard port and --metrics-port serve the counters its producer and consumers move', async () => {
    // A vhost and database of its own, so the stats tests below see only what consume stored.
    const own = await createTestServices('metrics_run');
    const metricsPort = await freePort();
    const runner: RunningCli = startCli(
      [
        'run',
        logFile,
        '--state-dir',
        join(workDir, 'run-state'),
        '--dashboard-port',
        '0',
        '--metrics-port',
        String(metricsPort),
        '--batch-lines',
        '50',
        '--no-geo',
      ],
      { env: own.env },
    );
    try {
      let dashboard = '';
      await waitFor('the dashboard address on stdout', () => {
        dashboard = /dashboard at (http:\/\/127\.0\.0\.1:\d+)\//.exec(runner.stdout())?.[1] ?? '';
        return dashboard !== '' || runner.stderr().includes('lograbbit:');
      });
      assert.ok(dashboard, runner.stderr());
      const total = GOOD + BAD.length;
      const sql = await own.sql();
      await waitFor('every line stored', async () => {
        const [rows] = await sql.query<RowDataPacket[]>(
          'SELECT (SELECT COUNT(*) FROM raw_log) + (SELECT COUNT(*) FROM clean_log) + (SELECT COUNT(*) FROM rejected_log) AS n',
        );
        return Number(rows[0]?.n) === 2 * total;
      });
      for (const base of [dashboard, `http://127.0.0.1:${metricsPort}`]) {
        let text = '';
        // The rows are committed before the counters move (the ack follows the commit): wait for both.
        await waitFor(`${base}/metrics to count every stored row`, async () => {
          text = await (await fetch(`${base}/metrics`)).text();
          return sample(text, 'lograbbit_rows_inserted_total', '{table="clean_log"}') === GOOD;
        });
        assert.equal(sample(text, 'lograbbit_lines_read_total'), total, base);
        assert.equal(sample(text, 'lograbbit_lines_published_total'), total, base);
        assert.equal(sample(text, 'lograbbit_lines_confirmed_total'), total, base);
        // 253 lines in messages of 50.
        assert.equal(sample(text, 'lograbbit_messages_confirmed_total'), 6, base);
        assert.equal(sample(text, 'lograbbit_rows_inserted_total', '{table="raw_log"}'), total, base);
        assert.equal(sample(text, 'lograbbit_rows_inserted_total', '{table="rejected_log"}'), BAD.length);
        assert.equal(sample(text, 'lograbbit_lines_consumed_total', '{queue="data-lake"}'), total, base);
        assert.equal(sample(text, 'lograbbit_lines_consumed_total', '{queue="data-clean"}'), total, base);
        assert.equal(sample(text, 'lograbbit_queue_consumers', '{queue="data-clean"}'), 1, base);
        const ready = await fetch(`${base}/readyz`);
        assert.equal(ready.status, 200, base);
        assert.deepEqual(await ready.json(), {
          status: 'ready',
          checks: { broker: { ok: true }, database: { ok: true }, writes: { ok: true } },
        });
      }
    } finally {
      runner.kill('SIGINT');
      const exit = await runner.exited;
      await own.teardown();
      assert.equal(exit.code, 0, exit.stderr);
    }
  });

  test('stats --json: queues, tables, the last minute and rejects by reason, as the database has them', async () => {
    const stats = await runCli(['stats', '--json'], { env: services.env });
    assert.equal(stats.code, 0, stats.stderr);
    const snapshot = JSON.parse(stats.stdout) as {
      queues: Array<{ queue: string; ready: number }>;
      tables: Record<string, { rows: number; exact: boolean }>;
      counted: { lines: number };
      history: { linesFrom: string | null; rollupsFrom: string | null; rollupsUpdated: string | null };
      lastMinute: { linesRead: number; rejected: number };
      rejects: Array<{ reason: string; lines: number }>;
    };
    const stored = await tableCounts();
    assert.deepEqual(
      snapshot.queues.map((queue) => queue.queue),
      ['data-lake', 'data-clean', 'data-dead'],
    );
    assert.equal(snapshot.tables.raw_log?.rows, stored.raw);
    assert.equal(snapshot.tables.clean_log?.rows, stored.clean);
    assert.equal(snapshot.tables.rejected_log?.rows, stored.rejected);
    assert.ok(
      Object.values(snapshot.tables).every((table) => table.exact),
      'small tables are counted exactly',
    );
    assert.equal(snapshot.counted.lines, stored.clean, 'the rollups counted every parsed line');
    const sql = await services.sql();
    const [[span]] = await sql.query<RowDataPacket[]>(
      'SELECT MIN(ts) AS lines_from, (SELECT MIN(bucket) FROM rollup_hour) AS rollups_from FROM clean_log',
    );
    const iso = (value: unknown): string =>
      value instanceof Date
        ? value.toISOString()
        : new Date(`${String(value).replace(' ', 'T')}Z`).toISOString();
    assert.equal(snapshot.history.linesFrom, iso(span?.lines_from));
    assert.equal(snapshot.history.rollupsFrom, iso(span?.rollups_from));
    assert.ok(snapshot.history.rollupsUpdated !== null);
    assert.equal(snapshot.lastMinute.linesRead, stored.raw, 'all lines were read within the last minute');
    assert.equal(snapshot.lastMinute.rejected, BAD.length);
    assert.equal(
      snapshot.rejects.reduce((sum, reject) => sum + reject.lines, 0),
      BAD.length,
    );
    assert.ok(snapshot.rejects.some((reject) => reject.reason === 'bad_status' && reject.lines === 1));

    const screen = await runCli(['stats'], { env: services.env });
    assert.equal(screen.code, 0, screen.stderr);
    assert.match(screen.stdout, new RegExp(`raw_log\\s+${stored.raw}\\b`));
    assert.match(screen.stdout, /rejects by reason/);
  });

  test('stats --watch refreshes, with rates from the second refresh on, and stops after --count', async () => {
    const watch = await runCli(['stats', '--json', '--watch', '0.3', '--count', '2'], { env: services.env });
    assert.equal(watch.code, 0, watch.stderr);
    const snapshots = watch.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { tables: { raw_log: { perSecond: number | null } } });
    assert.equal(snapshots.length, 2);
    assert.equal(snapshots[0]?.tables.raw_log.perSecond, null);
    assert.equal(snapshots[1]?.tables.raw_log.perSecond, 0);
  });

  test('stats --watch stops cleanly on Ctrl-C', async () => {
    const watch = startCli(['stats', '--watch', '0.5'], { env: services.env });
    await waitFor('a first screen', () => watch.stdout().includes('rejects'));
    watch.kill('SIGINT');
    const exit = await watch.exited;
    assert.equal(exit.code, 0, exit.stderr);
  });

  test('bad options and exposure: exit 2 with one line naming the option', async () => {
    const badPort = await runCli(['consume', '--metrics-port', '99999'], { env: services.env });
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--metrics-port/);
    const badWatch = await runCli(['stats', '--watch', 'often'], { env: services.env });
    assert.equal(badWatch.code, 2);
    assert.match(badWatch.stderr, /--watch/);
    const exposed = await runCli(['dashboard', '--bind', '0.0.0.0', '--port', '0'], { env: services.env });
    assert.equal(exposed.code, 2);
    assert.match(exposed.stderr, /DASHBOARD_TOKEN/);
    const shortToken = await runCli(['dashboard', '--bind', '0.0.0.0'], {
      env: { ...services.env, DASHBOARD_TOKEN: 'short' },
    });
    assert.equal(shortToken.code, 2);
    assert.match(shortToken.stderr, /DASHBOARD_TOKEN: expected at least 16 characters/);
    assert.doesNotMatch(shortToken.stderr, /short/, 'the token is never echoed');
  });
});
