/**
 * `produce --follow` and `consume` as two processes, as on two machines: a glob followed while lines
 * are appended in bursts (identical lines among them, at different offsets), a line written in two
 * halves with a pause, then a rename rotation. Ends with the exact comparison: the lines written are
 * the lines of raw_log as a multiset, each stored once, identical lines as separate rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { useLiveSuite } from '../helpers/live-suite.js';
import { runCli, waitFor } from '../helpers/cli.js';
import { assertExactlyOnce, rawRowCount } from '../helpers/stored-lines.js';
import { freePort, sleep, startLograbbit } from '../helpers/processes.js';

const SOURCE = 'access.log';
/** The same request in the same second, as a health check writes it: identical lines. */
const REPEATED = '10.0.0.7 - - [01/Nov/2022:10:00:00 +0000] "GET /health HTTP/1.1" 200 2 "-" "probe/1.0"';
const NO_ENRICHMENT = ['--no-geo', '--no-user-agent'];

const suite = useLiveSuite('produce_follow');

/** Every line written, in order, and the text to append for new ones. */
class Written {
  readonly lines: string[] = [];
  private serial = 0;

  /** `count` unique lines, each followed by `REPEATED` when `repeatEvery` divides its index. */
  make(count: number, repeatEvery = 0): string {
    const made: string[] = [];
    for (let index = 0; index < count; index++) {
      const n = this.serial++;
      made.push(
        `198.51.100.${n % 250} - - [01/Nov/2022:10:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')} +0000] "GET /follow/${n} HTTP/1.1" 200 ${n}`,
      );
      if (repeatEvery > 0 && index % repeatEvery === 0) made.push(REPEATED);
    }
    return this.note(made);
  }

  /** `REPEATED`, `times` times in a row. */
  repeated(times: number): string {
    return this.note(Array.from({ length: times }, () => REPEATED));
  }

  note(lines: readonly string[]): string {
    this.lines.push(...lines);
    return lines.map((line) => `${line}\n`).join('');
  }

  get count(): number {
    return this.lines.length;
  }
}

async function waitForRows(count: number): Promise<void> {
  await waitFor(
    `${count} rows of ${SOURCE} in raw_log`,
    async () => (await rawRowCount(suite.services, SOURCE)) >= count,
    20_000,
  );
}

test('produce --follow and consume apart: bursts with identical lines, a split line, rename rotation', async () => {
  const logs = join(suite.dir, 'logs');
  await mkdir(logs);
  const path = join(logs, SOURCE);
  const written = new Written();
  await writeFile(path, written.repeated(2) + written.make(100, 25));

  const consumer = startLograbbit(['consume', ...NO_ENRICHMENT], { env: suite.services.env });
  const metricsPort = await freePort();
  const producer = startLograbbit(
    [
      'produce',
      '--follow',
      '--metrics-port',
      String(metricsPort),
      join(logs, '*.log'),
      '--state-dir',
      join(suite.dir, 'state'),
      '--rotate-wait-ms',
      '300',
      '--no-progress',
    ],
    { env: suite.services.env },
  );

  for (let burst = 0; burst < 6; burst++) {
    await appendFile(path, written.make(200, 40) + written.repeated(3));
    await sleep(50);
  }
  await waitForRows(written.count);

  const half = '203.0.113.9 - - [01/Nov/2022:11:00:00 +0000] "GET /written-in-two-halves HTTP/1.1" 200 1234';
  await appendFile(path, half.slice(0, 40));
  await sleep(700);
  assert.equal(await rawRowCount(suite.services, SOURCE), written.count, 'the half line waits for its end');
  // The follower is behind by exactly the half line: written, and not confirmed since not sent.
  const lagOf = async (): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    return Number(
      new RegExp(`^lograbbit_follow_lag_bytes\\{file="${escaped}"\\} (\\d+)$`, 'm').exec(text)?.[1],
    );
  };
  await waitFor('a follow lag of the half line', async () => (await lagOf()) === 40, 5000);
  await appendFile(path, `${half.slice(40)}\n`);
  written.note([half]);
  await waitForRows(written.count);
  await waitFor('no follow lag once the line is confirmed', async () => (await lagOf()) === 0, 5000);

  // Rename rotation: the server writes to the renamed file a moment longer, then to a new one.
  await rename(path, `${path}.1`);
  await appendFile(`${path}.1`, written.make(150, 30));
  await writeFile(path, written.make(200, 50));
  await sleep(100);
  await appendFile(path, written.repeated(2) + written.make(200, 50));
  await waitForRows(written.count);

  // The follower's own /metrics count every line it read and RabbitMQ confirmed, and it is ready.
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const counter = (name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics)?.[1]);
  assert.equal(counter('lograbbit_lines_read_total'), written.count);
  assert.equal(counter('lograbbit_lines_confirmed_total'), written.count);
  assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status, 200);

  const produced = await producer.stop('SIGTERM');
  assert.equal(produced.code, 0, `produce --follow stops cleanly on SIGTERM:\n${produced.stderr}`);
  const consumed = await consumer.stop('SIGTERM');
  assert.equal(consumed.code, 0, `consume stops cleanly on SIGTERM:\n${consumed.stderr}`);
  const drained = await runCli(['consume', '--until-idle', ...NO_ENRICHMENT], { env: suite.services.env });
  assert.equal(drained.code, 0, drained.stderr);

  await assertExactlyOnce(
    suite.services,
    SOURCE,
    written.lines.map((line) => Buffer.from(line)),
  );
  const repeated = written.lines.filter((line) => line === REPEATED).length;
  assert.ok(repeated > 30, `identical lines written: ${repeated}`);
  const sql = await suite.services.sql();
  const [[row]] = await sql.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS ids FROM clean_log WHERE source = ? AND path = '/health'`,
    [SOURCE],
  );
  assert.deepEqual(
    [Number(row?.n), Number(row?.ids)],
    [repeated, repeated],
    'identical lines, separate rows',
  );
});
