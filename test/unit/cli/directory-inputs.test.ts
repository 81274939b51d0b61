/**
 * Directories given to `ingest` and `produce`: replaced by their log files, sorted by name, without
 * hidden files, compressed rotated files, subdirectories or dangling links; a directory with none is
 * an input error (exit code 2, as a usage error).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CODES, InputError } from '../../../src/errors.js';
import { expandDirectories, logFilesIn } from '../../../src/sources/index.js';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lograbbit-directory-inputs-'));
  const logs = join(dir, 'logs');
  await mkdir(join(logs, 'nested'), { recursive: true });
  for (const name of ['b.log', 'a.log', 'C.log', 'access.log.1', 'nested/deep.log', '.hidden.log']) {
    await writeFile(join(logs, name), 'line\n');
  }
  for (const name of ['access.log.2.gz', 'x.log.bz2', 'y.log.xz', 'z.log.zst']) {
    await writeFile(join(logs, name), 'compressed\n');
  }
  await symlink(join(logs, 'a.log'), join(logs, 'link.log'));
  await symlink(join(logs, 'missing.log'), join(logs, 'dangling.log'));
  await symlink(join(logs, 'nested'), join(logs, 'dir-link'));
  await mkdir(join(dir, 'empty'));
  await mkdir(join(dir, 'only-skipped', 'sub'), { recursive: true });
  await writeFile(join(dir, 'only-skipped', '.x.log'), 'line\n');
  await writeFile(join(dir, 'only-skipped', 'old.log.1.gz'), 'compressed\n');
  await writeFile(join(dir, 'single.log'), 'line\n');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('directory inputs', () => {
  test('a directory lists its regular files by name; hidden, compressed, nested and dangling are skipped', () => {
    const logs = join(dir, 'logs');
    assert.deepEqual(
      logFilesIn(logs),
      ['C.log', 'a.log', 'access.log.1', 'b.log', 'link.log'].map((name) => join(logs, name)),
    );
  });

  test('directories are replaced in place; files, - and missing paths are kept for the caller', () => {
    const logs = join(dir, 'logs');
    const single = join(dir, 'single.log');
    const missing = join(dir, 'missing.log');
    assert.deepEqual(expandDirectories(['-', single, logs, missing]), [
      '-',
      single,
      ...['C.log', 'a.log', 'access.log.1', 'b.log', 'link.log'].map((name) => join(logs, name)),
      missing,
    ]);
  });

  for (const name of ['empty', 'only-skipped']) {
    test(`a directory without a log file (${name}) is an input error naming it, exit 2`, () => {
      const path = join(dir, name);
      assert.throws(
        () => expandDirectories([join(dir, 'single.log'), path]),
        (error: unknown) =>
          error instanceof InputError &&
          error.exitCode === EXIT_CODES.usage &&
          error.message.startsWith(`${path}: a directory with no log file in it`),
      );
    });
  }
});
