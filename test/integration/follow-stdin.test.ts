/**
 * `produce -` on a live pipe (as `tail -F x | lograbbit produce -`, or a web server's piped logging):
 * lines are stored while the pipe is still open, a line written in two halves arrives whole, and what
 * was written is exactly what raw_log holds.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { runCli, waitFor } from '../helpers/cli.js';
import { assertExactlyOnce, rawRowCount } from '../helpers/stored-lines.js';
import { killStarted, sleep, startLograbbit } from '../helpers/processes.js';

let services: TestServices;

before(async () => {
  services = await createTestServices('stdin');
  const setup = await runCli(['setup'], { env: services.env });
  assert.equal(setup.code, 0, setup.stderr);
});

afterEach(killStarted);

after(async () => {
  await services.teardown();
});

const lineOf = (n: number): string =>
  `192.0.2.${n % 250} - - [01/Nov/2022:12:00:${String(n % 60).padStart(2, '0')} +0000] "GET /piped/${n} HTTP/1.1" 200 ${n}`;

test('a live pipe: lines are stored before it closes, a split line arrives whole', async () => {
  const consumer = startLograbbit(['consume', '--no-geo', '--no-user-agent'], { env: services.env });
  const producer = startLograbbit(['produce', '-', '--source', 'piped'], {
    env: services.env,
    keepStdinOpen: true,
  });
  const written: string[] = [];
  // Fewer lines than a batch holds: only the linger sends them while the pipe stays open.
  for (let n = 0; n < 37; n++) written.push(lineOf(n));
  producer.stdin.write(written.map((line) => `${line}\n`).join(''));
  await waitFor(
    '37 piped lines stored while the pipe is open',
    async () => (await rawRowCount(services, 'piped')) >= 37,
  );

  const split = lineOf(1000);
  producer.stdin.write(split.slice(0, 30));
  await sleep(500);
  assert.equal(await rawRowCount(services, 'piped'), 37, 'half a line is not sent');
  producer.stdin.write(`${split.slice(30)}\n`);
  written.push(split);
  await waitFor('the split line stored', async () => (await rawRowCount(services, 'piped')) >= 38);

  producer.stdin.end();
  const produced = await producer.exited;
  assert.equal(produced.code, 0, produced.stderr);
  const consumed = await consumer.stop('SIGTERM');
  assert.equal(consumed.code, 0, consumed.stderr);
  const drained = await runCli(['consume', '--until-idle', '--no-geo', '--no-user-agent'], {
    env: services.env,
  });
  assert.equal(drained.code, 0, drained.stderr);
  await assertExactlyOnce(
    services,
    'piped',
    written.map((line) => Buffer.from(line)),
  );
});
