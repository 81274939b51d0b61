/**
 * Text from a message or a file never drives the operator's terminal: a reason header, a source name
 * or a message id holding escape sequences is printed escaped (visible as `\u001b…`) by `dead list`,
 * by the readable log and by the progress line, never as the raw bytes a terminal would obey.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from 'rabbitmq-client';
import { REPO_ROOT, runCli, runCommand } from '../helpers/cli.js';
import { createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { encodeLineBatch } from '../../src/broker/index.js';
import { streamIdOf } from '../../src/domain/index.js';

/** Clears the screen, homes the cursor and prints a fake all-clear; CSI as the C1 byte too. */
const SCREEN_FORGERY = '\x1b[2J\x1b[Hall good\n\u009b31m\u202egol.exe\x7f';
/** Retitles the terminal window (OSC 0 … BEL). */
const RETITLE = '\x1b]0;pwned\x07';

// Every control character a terminal acts on but the newline (and the tab, harmless).
// eslint-disable-next-line no-control-regex -- finding raw control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

function assertNoRawControl(text: string, what: string): void {
  const found = RAW_CONTROL.exec(text);
  assert.equal(
    found,
    null,
    `${what}: raw U+${found?.[0].charCodeAt(0).toString(16).padStart(4, '0')} reached the terminal in ${JSON.stringify(text)}`,
  );
}

let services: TestServices;
let rabbit: Connection;
let dir: string;

before(async () => {
  services = await createTestServices('terminal');
  assert.equal((await runCli(['setup'], { env: services.env })).code, 0);
  rabbit = new Connection({ url: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(services.vhost)}` });
  await rabbit.onConnect(10_000);
  dir = await mkdtemp(join(tmpdir(), 'lograbbit-terminal-'));
});

after(async () => {
  await rabbit?.close();
  await services?.teardown();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('`dead list` prints a crafted reason and source escaped, in text and in --json', async () => {
  const line = Buffer.from('192.0.2.1 - - [01/Nov/2022:00:00:00 +0000] "GET / HTTP/1.1" 200 10');
  const source = `evil${RETITLE}.log`;
  const publisher = rabbit.createPublisher({ confirm: true });
  await publisher.send(
    {
      routingKey: 'data-dead',
      durable: true,
      messageId: `id${RETITLE}`,
      headers: { 'x-lograbbit-reason': SCREEN_FORGERY, 'x-lograbbit-queue': 'data-clean' },
    },
    encodeLineBatch({
      source,
      streamId: streamIdOf(source, line),
      readAtMs: Date.now(),
      lines: [{ offset: 0, bytes: line, truncated: false }],
    }),
  );
  await publisher.close();

  const listed = await runCli(['dead', 'list'], { env: services.env });
  assert.equal(listed.code, 0, listed.stderr);
  assertNoRawControl(listed.stdout, 'dead list stdout');
  assertNoRawControl(listed.stderr, 'dead list stderr');
  assert.equal(
    listed.stdout.split('\n')[0],
    'data-clean  1 lines of evil\\u001b]0;pwned\\u0007.log  ' +
      '\\u001b[2J\\u001b[Hall good\\n\\u009b31m\\u202egol.exe\\u007f',
  );

  // The JSON stays exact for scripts (it parses back to the very strings) and is as safe to display.
  const json = await runCli(['dead', 'list', '--json'], { env: services.env });
  assert.equal(json.code, 0, json.stderr);
  assertNoRawControl(json.stdout, 'dead list --json stdout');
  const letter = JSON.parse(json.stdout) as { reason: string; source: string; messageId: string };
  assert.deepEqual(
    { reason: letter.reason, source: letter.source, messageId: letter.messageId },
    { reason: SCREEN_FORGERY, source, messageId: `id${RETITLE}` },
  );
});

test('on a terminal, the readable log and the progress line show a crafted file name escaped', async () => {
  // The file name becomes the source (logged when its format is detected) and the progress label.
  const name = `access${RETITLE}${SCREEN_FORGERY.replace('\n', '')}.log`;
  const lines = Array.from(
    { length: 2000 },
    (_, i) => `192.0.2.1 - - [01/Nov/2022:00:00:00 +0000] "GET /${i} HTTP/1.1" 200 10`,
  );
  await writeFile(join(dir, name), `${lines.join('\n')}\n`);
  const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, `${REPO_ROOT}bin/lograbbit.js`, 'ingest', name].map(quote).join(' ');
  // `script` runs the command on a pseudo-terminal, as a user's shell would: stderr is a TTY, so the
  // log is the readable one and the progress line is drawn (the relative path keeps its label short).
  const result = await runCommand('script', ['-qefc', command, '/dev/null'], {
    env: { ...services.env, LOG_LEVEL: 'info' },
    cwd: dir,
  });
  assert.equal(result.code, 0, result.stdout);
  // What the program itself draws: line ends (the terminal adds \r) and the progress line's
  // carriage returns and erase-to-end-of-line.
  const shown = result.stdout.replaceAll('\r\n', '\n').replaceAll('\x1b[K', '').replaceAll('\r', '');
  assert.match(shown, /INFO {2}detected the log format of a source/, 'the readable log, not JSON');
  assertNoRawControl(shown, 'ingest on a terminal');
  assert.ok(
    shown.includes('source=access\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[Hall good\\u009b31m'),
    `the log shows the source escaped: ${shown}`,
  );
  assert.ok(
    shown.includes('lines/s  access\\u001b]0;pwned'),
    `the progress line shows the file name escaped: ${shown}`,
  );
});
