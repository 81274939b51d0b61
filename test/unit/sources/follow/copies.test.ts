/**
 * The one way a rotated copy is found: by its head and its size, beside the followed path, never the
 * file itself, a compressed file or a copy that holds less than was read.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCopy } from '../../../../src/sources/follow/copies.js';
import { fingerprintOf } from '../../../../src/sources/follow/file-identity.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lograbbit-copies-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const content = 'first line\nsecond line\nthird line\n';

/** The followed file, its fingerprint, and its checkpoint key. */
async function followed(headBytes = content.length): Promise<{
  path: string;
  key: string;
  fingerprint: Awaited<ReturnType<typeof fingerprintOf>>;
}> {
  const path = join(dir, 'access.log');
  await writeFile(path, content);
  const handle = await open(path, 'r');
  try {
    const fingerprint = await fingerprintOf(handle, headBytes);
    const stats = await stat(path, { bigint: true });
    return { path, key: `${stats.dev}-${stats.ino}`, fingerprint };
  } finally {
    await handle.close();
  }
}

test('finds the copy by its head, whatever its name, and never the file itself', async () => {
  const { path, key, fingerprint } = await followed();
  assert.equal(await findCopy(path, { fingerprint, offset: 11 }, key), undefined, 'only the file itself');
  await writeFile(join(dir, 'other.log'), 'another file\n'.repeat(5));
  await writeFile(join(dir, 'copied-under-any-name'), `${content}more\n`);
  const found = await findCopy(path, { fingerprint, offset: 11 }, key);
  assert.ok(found);
  await found.handle.close();
  assert.equal(found.path, join(dir, 'copied-under-any-name'));
});

test('a compressed file or a copy shorter than what was read is no copy', async () => {
  // Fingerprinted while it held its first line only: a copy is told by that line.
  const { path, key, fingerprint } = await followed(11);
  await writeFile(join(dir, 'access.log.1.gz'), content);
  await writeFile(join(dir, 'access.log.2'), content.slice(0, 23));
  assert.equal(await findCopy(path, { fingerprint, offset: 30 }, key), undefined);
  const found = await findCopy(path, { fingerprint, offset: 23 }, key);
  assert.ok(found, 'a copy holding exactly what was read still continues the stream');
  await found.handle.close();
  assert.equal(found.path, join(dir, 'access.log.2'));
});
