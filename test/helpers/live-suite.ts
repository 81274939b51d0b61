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
  return suiteView(() => ({ services, dir }), "the live suite's", 'before');
}

/**
 * A suite's services and directory as getters that, read before the hook that makes them has run,
 * say where they are made instead of handing out `undefined`.
 */
export function suiteView(
  current: () => { readonly services?: TestServices; readonly dir?: string },
  whose: string,
  hook: string,
): LiveSuite {
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${whose} ${what} is made in its ${hook} hook`);
    return value;
  };
  return {
    get services() {
      return ready(current().services, 'services');
    },
    get dir() {
      return ready(current().dir, 'directory');
    },
  };
}
