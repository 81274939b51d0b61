/**
 * The upkeep of `consume` and `run` (top values compacted every round, partitions ahead) through a
 * database outage: its path to MariaDB cut by a proxy for many rounds, then let through again. The
 * outage is one warning, however many rounds fail, and the round that works again says so. Real
 * MariaDB, a database of this file's own.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startRetentionUpkeep } from '../../src/cli/retention-parts.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { createTestServices, endpointOf } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import type { TcpProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/cli.js';

interface Entry {
  readonly level: number;
  readonly msg: string;
  readonly failedRounds?: number;
}
const WARN = 40;
const INFO = 30;

let services: TestServices;
let proxy: TcpProxy;
let store: Store;

before(async () => {
  services = await createTestServices('upkeep', { vhost: false });
  // Migrated directly, so that the store opened through the proxy starts with a database that works.
  const setup = await openStore(endpointOf(services), { timeoutMs: 10_000, setup: true });
  await setup.close();
  proxy = await startTcpProxy(3306);
  store = await openStore({ ...endpointOf(services), port: proxy.port }, { timeoutMs: 10_000, setup: false });
});

after(async () => {
  await store?.close();
  await proxy?.close();
  await services?.teardown();
});

test('an outage of many rounds is one warning, and the first round that works says so', async () => {
  const entries: Entry[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) entries.push(JSON.parse(line) as Entry);
      done();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  // A round every 100 ms (the interval bounds the compaction's minute too).
  const upkeep = startRetentionUpkeep(
    store,
    { keepMs: undefined, keepRollupsMs: 400 * 86_400_000, intervalMs: 100 },
    log,
  );
  try {
    const failed = (): Entry[] => entries.filter((entry) => entry.msg.startsWith('retention upkeep failed'));
    proxy.cut();
    await waitFor('five failed rounds', () => failed().length >= 5, 20_000);
    proxy.restore();
    await waitFor(
      'a round that works again',
      () => entries.some((entry) => entry.msg === 'retention upkeep works again'),
      20_000,
    );
    const warnings = entries.filter((entry) => entry.level >= WARN);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.equal(warnings[0]?.failedRounds, 1);
    assert.ok(
      failed()
        .slice(1)
        .every((entry) => entry.level < INFO),
    );
    const recovered = entries.filter((entry) => entry.msg === 'retention upkeep works again');
    assert.equal(recovered.length, 1);
    assert.equal(recovered[0]?.level, INFO);
    assert.ok((recovered[0]?.failedRounds ?? 0) >= 5);
  } finally {
    await upkeep.stop();
  }
});
