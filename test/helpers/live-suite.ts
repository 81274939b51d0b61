/**
 * The set-up that the tests of live processes share: for one test file, a vhost and a database of
 * their own with lograbbit's tables and queues (`lograbbit setup`), and a scratch directory; after
 * each test, every process it started is killed; after the file, all of it is removed.
 */
import { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestServices } from './services.js';
import type { TestServices } from './services.js';
import { runCli } from './cli.js';
import { killStarted } from './processes.js';

export interface LiveSuite {
  /** The file's vhost and database, set up (available from the first test on). */
  readonly services: TestServices;
  /** The file's scratch directory. */
  readonly dir: string;
}

/** Registers the hooks; `prepare` runs on the new directory before the set-up (permissions, say). */
export function useLiveSuite(label: string, prepare?: (dir: string) => Promise<void>): LiveSuite {
  let services: TestServices | undefined;
  let dir: string | undefined;
  before(async () => {
    services = await createTestServices(label);
    dir = await mkdtemp(join(tmpdir(), `lograbbit-${label}-`));
    await prepare?.(dir);
    const setup = await runCli(['setup'], { env: services.env });
    assert.equal(setup.code, 0, setup.stderr);
  });
  afterEach(killStarted);
  after(async () => {
    await services?.teardown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the live suite's ${what} is made in its before hook`);
    return value;
  };
  return {
    get services() {
      return ready(services, 'services');
    },
    get dir() {
      return ready(dir, 'directory');
    },
  };
}
