import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test("npm test's first step names each missing tool and the one command that installs them", async () => {
  // No PATH to search, only the sbin directories (where nginx and rabbitmqctl live), and no Chromium.
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/test-prerequisites.ts'], {
    cwd: ROOT,
    env: { PATH: '/nonexistent', CHROMIUM_PATH: '/nonexistent/chromium' },
  });
  const failure = await run.then(
    () => assert.fail('exit 0 with every tool missing'),
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(failure.code, 1);
  for (const tool of ['curl', 'ab', '/nonexistent/chromium']) {
    assert.match(failure.stderr, new RegExp(`^  ${tool}: `, 'm'));
  }
  assert.match(
    failure.stderr,
    /^Install them with: sudo apt-get install -y --no-install-recommends .*curl apache2-utils chromium fonts-dejavu-core$/m,
  );
});

test("npm test's first step passes quietly on a machine with the tools", async () => {
  // This machine runs the suite, so it has them: the check must not stand in its way.
  const { stderr } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'scripts/test-prerequisites.ts'],
    { cwd: ROOT },
  );
  assert.equal(stderr, '');
});
