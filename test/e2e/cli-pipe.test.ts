/**
 * The command line in a pipeline whose reader stops early (`| head`): the output ends quietly, with
 * exit code 0, as `yes | head` does, not with an EPIPE stack trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const BIN = fileURLToPath(new URL('../../bin/lograbbit.js', import.meta.url));

test('simulate | head: three lines, then lograbbit stops quietly with exit 0', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lograbbit-cli-pipe-'));
  try {
    // bash gives lograbbit's own exit status in PIPESTATUS; its stderr goes to a file of its own.
    const script =
      '"$NODE" "$BIN" simulate --rate 100000 --count 10000000 2>"$DIR/stderr" | head -n 3; ' +
      'echo "$' +
      '{PIPESTATUS[0]}" > "$DIR/status"';
    const { stdout } = await promisify(execFile)('bash', ['-c', script], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE: process.execPath,
        BIN,
        DIR: dir,
      },
    });
    assert.equal(stdout.trimEnd().split('\n').length, 3);
    assert.match(stdout, /" \d{3} \d+ "/, 'access-log lines: a status and a size after the request');
    assert.equal(await readFile(join(dir, 'stderr'), 'utf8'), '', 'nothing on stderr');
    assert.equal((await readFile(join(dir, 'status'), 'utf8')).trim(), '0');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
