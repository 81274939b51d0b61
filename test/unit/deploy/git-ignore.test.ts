/**
 * What lograbbit writes into a clone when run from it (the default state directory: checkpoints, the
 * demo's traffic of `npm start`) is never offered to git.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tuningSchema } from '../../../src/config/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test(
  'git ignores the default state directory',
  { skip: !existsSync(`${root}.git`) && 'not a git clone' },
  () => {
    const stateDir = tuningSchema.parse({}).stateDir;
    for (const path of [`${stateDir}/demo/demo.log`, `${stateDir}/checkpoints/abc.json`]) {
      // --no-index: the rules decide, whatever is tracked already.
      const checked = spawnSync('git', ['check-ignore', '--no-index', '--quiet', path], { cwd: root });
      assert.equal(checked.status, 0, `${path} is not ignored by .gitignore`);
    }
  },
);
