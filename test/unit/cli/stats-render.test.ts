/** `lograbbit stats`'s screen: a reject example quotes a log line, and prints it escaped. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render } from '../../../src/cli/stats-command.js';
import type { StatsSnapshot } from '../../../src/cli/stats-snapshot.js';

test('a reject example holding C1 and bidi controls is printed escaped', () => {
  // quote() JSON-escapes the line's C0 controls already; C1 (CSI 0x9b), DEL and bidi ones it leaves.
  const example = 'combined: bad status "\u009b2J\u202e\x7f"';
  const snapshot: StatsSnapshot = {
    ...quietSnapshot(),
    tables: {
      raw_log: { rows: 1, exact: true, perSecond: null },
      clean_log: { rows: 0, exact: true, perSecond: null },
      rejected_log: { rows: 1, exact: true, perSecond: null },
    },
    lastMinute: { linesRead: 1, linesPerSecond: 0, rejected: 1 },
    rejects: [{ reason: 'bad_status', lines: 1, example }],
  };
  const screen = render(snapshot, undefined);
  // eslint-disable-next-line no-control-regex -- finding raw control characters is the point
  assert.doesNotMatch(screen, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/u);
  assert.match(screen, /e\.g\. combined: bad status "\\u009b2J\\u202e\\u007f"$/m);
});

test('an estimated size is marked and explained; history and counted lines are shown', () => {
  const snapshot: StatsSnapshot = {
    ...quietSnapshot(),
    tables: {
      raw_log: { rows: 2_500_000, exact: false, perSecond: null },
      clean_log: { rows: 2_400_000, exact: false, perSecond: null },
      rejected_log: { rows: 12, exact: true, perSecond: 0 },
    },
    counted: { lines: 2_399_988, perSecond: 150 },
    history: {
      linesFrom: '2026-11-01T00:00:05.000Z',
      rollupsFrom: '2026-10-01T00:00:00.000Z',
      rollupsUpdated: '2026-11-28T11:59:58.000Z',
    },
    lastMinute: { linesRead: 9000, linesPerSecond: 150, rejected: 0 },
    rejects: [],
  };
  const screen = render(snapshot, undefined);
  assert.match(screen, /raw_log\s+~2,500,000\n/);
  assert.match(screen, /rejected_log\s+12\s+\+0\/s|rejected_log\s+12\s+0\/s/);
  assert.match(screen, /~ InnoDB's estimate/);
  assert.match(screen, /parsed lines counted 2,399,988\s+\+150\/s\s+\(rollups, all time\)/);
  assert.match(
    screen,
    /lines from\s+2026-11-01 00:00 UTC\s+rollups from 2026-10-01 00:00 UTC\s+rollups updated 2026-11-28 11:59 UTC/,
  );
  assert.match(screen, /rejects\s+none in the last 24 h/);
});

test('a read node that lags says how far behind it is', () => {
  const snapshot: StatsSnapshot = {
    ...quietSnapshot(),
    database: 'replica1:3306/lograbbit',
    readLag: { kind: 'replica', secondsBehind: 4, running: true },
  };
  assert.match(render(snapshot, undefined), /database replica1:3306\/lograbbit \(replica, 4 s behind\)$/m);
  const stopped = { ...snapshot, readLag: { kind: 'replica', secondsBehind: null, running: false } as const };
  assert.match(render(stopped, undefined), /\(replica, replication stopped\)$/m);
  const galera = { ...snapshot, readLag: { kind: 'galera', receiveQueue: 12 } as const };
  assert.match(render(galera, undefined), /\(Galera node, 12 write sets to apply\)$/m);
  assert.match(
    render(quietSnapshot(), undefined),
    /database 127\.0\.0\.1:3306\/lograbbit$/m,
    'a primary: nothing',
  );
});

/** A snapshot of an empty, idle pipeline on a primary. */
function quietSnapshot(): StatsSnapshot {
  return {
    at: '2026-11-28T12:00:00.000Z',
    broker: '127.0.0.1:5672 vhost "/"',
    database: '127.0.0.1:3306/lograbbit',
    readLag: null,
    queues: [],
    tables: {
      raw_log: { rows: 0, exact: true, perSecond: null },
      clean_log: { rows: 0, exact: true, perSecond: null },
      rejected_log: { rows: 0, exact: true, perSecond: null },
    },
    counted: { lines: 0, perSecond: null },
    history: { linesFrom: null, rollupsFrom: null, rollupsUpdated: null },
    lastMinute: { linesRead: 0, linesPerSecond: 0, rejected: 0 },
    rejects: [],
  };
}
