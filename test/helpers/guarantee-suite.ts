/**
 * What the delivery-promise tests of real kills and outages share (guarantees.test.ts,
 * guarantees-outages.test.ts): a vhost and a database of their own, set up, and a scratch
 * directory, made anew for each test and removed after it; and the size and pace of their stream.
 */
import { afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestServices } from './services.js';
import type { TestServices } from './services.js';
import { runCli } from './cli.js';
import { suiteView } from './live-suite.js';
import type { LiveSuite } from './live-suite.js';

/** Large enough that a fault lands mid-stream, small enough to keep the suite fast. */
export const LINES = 20_000;
/** Smaller batches make the stream longer in messages, so that faults land between many of them. */
export const SLOW_CONSUMER = ['--prefetch', '50', '--write-batch-rows', '500'];
export const SLOW_INGEST = ['--batch-lines', '20', ...SLOW_CONSUMER];

/** Registers the hooks: each test gets services named after its first word, and a directory. */
export function useServicesPerTest(): LiveSuite {
  let services: TestServices | undefined;
  let dir: string | undefined;
  beforeEach(async (context) => {
    services = await createTestServices(context.name.split(' ')[0] ?? 'guarantee');
    dir = await mkdtemp(join(tmpdir(), 'lograbbit-guarantees-'));
    assert.equal((await runCli(['setup'], { env: services.env })).code, 0);
  });
  afterEach(async () => {
    await services?.teardown();
    if (dir) await rm(dir, { recursive: true, force: true });
    services = undefined;
    dir = undefined;
  });
  return suiteView(() => ({ services, dir }), "the test's", 'beforeEach');
}
