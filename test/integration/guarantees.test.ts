/**
 * The delivery promise, proved with real processes and real kills: every line the producer read
 * ends up exactly once in raw_log and exactly once in clean_log or rejected_log. Each test has its
 * own vhost and database, and ends with `assertExactlyOnce`. The outages of RabbitMQ and MariaDB
 * are in guarantees-outages.test.ts (a file of their own, so that both halves run side by side).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { assertExactlyOnce, expectedLines, rawRowCount } from '../helpers/stored-lines.js';
import { writeAccessLog } from '../helpers/log-file.js';
import { LINES, SLOW_CONSUMER, useServicesPerTest } from '../helpers/guarantee-suite.js';

const each = useServicesPerTest();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('nothing lost, nothing doubled', () => {
  test('consumer killed with SIGKILL mid-stream, then started again', async () => {
    const { services, dir } = each;
    const file = join(dir, 'kill-consumer.log');
    const content = await writeAccessLog(file, LINES, 11);
    const produced = await runCli(['produce', file, '--batch-lines', '20'], { env: services.env });
    assert.equal(produced.code, 0, produced.stderr);

    const consumer = startCli(['consume', ...SLOW_CONSUMER], { env: services.env });
    await waitFor(
      'a quarter of the lines stored',
      async () => (await rawRowCount(services, 'kill-consumer.log')) > LINES / 4,
    );
    consumer.kill('SIGKILL');
    const killed = await consumer.exited;
    assert.equal(killed.signal, 'SIGKILL');
    assert.ok((await rawRowCount(services, 'kill-consumer.log')) < LINES, 'the kill landed mid-stream');

    const again = await runCli(['consume', '--until-idle', '--json'], { env: services.env });
    assert.equal(again.code, 0, again.stderr);
    await assertExactlyOnce(services, 'kill-consumer.log', expectedLines(content));
  });

  test('producer killed with SIGKILL mid-stream, then run again on the same file', async () => {
    const { services, dir } = each;
    const file = join(dir, 'kill-producer.log');
    const content = await writeAccessLog(file, LINES, 12);
    const consumer = startCli(['consume', ...SLOW_CONSUMER], { env: services.env });
    const producer = startCli(['produce', file, '--batch-lines', '5', '--publish-window', '4'], {
      env: services.env,
    });
    await waitFor(
      'some lines stored',
      async () => (await rawRowCount(services, 'kill-producer.log')) > LINES / 10,
    );
    producer.kill('SIGKILL');
    assert.equal((await producer.exited).signal, 'SIGKILL');
    const partial = await rawRowCount(services, 'kill-producer.log');
    assert.ok(partial < LINES, `the kill landed mid-stream (${partial} of ${LINES} stored)`);

    const again = await runCli(['produce', file], { env: services.env });
    assert.equal(again.code, 0, again.stderr);
    await waitFor(
      'every line stored',
      async () => (await rawRowCount(services, 'kill-producer.log')) >= LINES - 10,
    );
    consumer.kill('SIGTERM');
    const stopped = await consumer.exited;
    assert.equal(stopped.code, 0, `a stopped consumer exits 0: ${stopped.stderr}`);
    const drained = await runCli(['consume', '--until-idle'], { env: services.env });
    assert.equal(drained.code, 0, drained.stderr);
    await assertExactlyOnce(services, 'kill-producer.log', expectedLines(content));
  });

  test('a fuzz file of hostile lines and random bytes is stored whole', async () => {
    const { services, dir } = each;
    const file = join(dir, 'fuzz.log');
    const hostile = [
      Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xf0, 0x28, 0x8c, 0xbc]), // invalid UTF-8
      Buffer.from('a\u0000b\u0000'), // NUL bytes
      Buffer.alloc(1024 * 1024, 0x61), // a 1 MiB line: cut at --max-line-bytes, flagged
      Buffer.from('      '), // only spaces: blank
      Buffer.from('127.0.0.1 - - [01/Nov/2022:00:00:00 +0000] "GET /x HTTP/1.1" 200 5\r'), // CRLF
      Buffer.from(
        `127.0.0.1 - - [01/Nov/2022:00:00:00 +0000] "GET /?q=1'; DROP TABLE raw_log;-- HTTP/1.1" 200 1 "-" "\\"quoted\\" ua"`,
      ),
      Buffer.from('127.0.0.1 - - [01/Nov/2022:00:00:00 +0000] "GET / HTTP/1.1" 999999 100000000000000000000'),
      Buffer.from('127.0.0.1 - - [01/Nov/99999:00:00:00 +0000] "GET / HTTP/1.1" 200 1'),
      Buffer.from('127.0.0.1 - - [00/Xyz/0000:99:99:99 +9999] "GET / HTTP/1.1" 200 1'),
      Buffer.from('"\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03"'),
    ];
    const random = Array.from({ length: 300 }, () => randomBytes(1 + Math.floor(Math.random() * 400)));
    const content = Buffer.concat([
      ...[...hostile, ...random].flatMap((line) => [line, Buffer.from('\n')]),
      Buffer.from('127.0.0.1 - - [01/Nov/2022:00:00:00 +0000] "GET /last HTTP/1.1" 200 5'), // no final newline
    ]);
    await writeFile(file, content);
    const result = await runCli(['ingest', file, '--max-line-bytes', '65536'], { env: services.env });
    assert.equal(result.code, 0, result.stderr);
    await assertExactlyOnce(services, 'fuzz.log', expectedLines(content, 65536));
  });

  test('two consumers competing on the same queues', async () => {
    const { services, dir } = each;
    const file = join(dir, 'competing.log');
    const content = await writeAccessLog(file, LINES, 16);
    const first = startCli(['consume', ...SLOW_CONSUMER, '--json'], { env: services.env });
    const second = startCli(['consume', ...SLOW_CONSUMER, '--json'], { env: services.env });
    const produced = await runCli(['produce', file, '--batch-lines', '20'], { env: services.env });
    assert.equal(produced.code, 0, produced.stderr);
    await waitFor(
      'every line stored',
      async () => (await rawRowCount(services, 'competing.log')) >= LINES - 10,
    );
    await sleep(500);
    first.kill('SIGTERM');
    second.kill('SIGTERM');
    const reports = await Promise.all([first.exited, second.exited]);
    for (const report of reports) assert.equal(report.code, 0, report.stderr);
    const storedBy = reports.map(
      (report) =>
        (JSON.parse(report.stdout.trim()) as { stored: { raw: { lines: number } } }).stored.raw.lines,
    );
    assert.ok(
      storedBy.every((lines) => lines > 0),
      `both consumers took a share: ${storedBy.join(' + ')}`,
    );
    const drained = await runCli(['consume', '--until-idle'], { env: services.env });
    assert.equal(drained.code, 0, drained.stderr);
    await assertExactlyOnce(services, 'competing.log', expectedLines(content));
  });
});
