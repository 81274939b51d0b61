/** `lograbbit stats`'s screen: a reject example quotes a log line, and prints it escaped. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render } from '../../../src/cli/stats-command.js';
import type { StatsSnapshot } from '../../../src/cli/stats-command.js';

test('a reject example holding C1 and bidi controls is printed escaped', () => {
  // quote() JSON-escapes the line's C0 controls already; C1 (CSI 0x9b), DEL and bidi ones it leaves.
  const example = 'combined: bad status "\u009b2J\u202e\x7f"';
  const snapshot: StatsSnapshot = {
    at: '2026-11-28T12:00:00.000Z',
    broker: '127.0.0.1:5672 vhost "/"',
    database: '127.0.0.1:3306/lograbbit',
    queues: [],
    tables: {
      raw_log: { rows: 1, perSecond: null },
      clean_log: { rows: 0, perSecond: null },
      rejected_log: { rows: 1, perSecond: null },
    },
    lastMinute: { linesRead: 1, linesPerSecond: 0, rejected: 1 },
    rejects: [{ reason: 'bad_status', lines: 1, example }],
  };
  const screen = render(snapshot, undefined);
  // eslint-disable-next-line no-control-regex -- finding raw control characters is the point
  assert.doesNotMatch(screen, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/u);
  assert.match(screen, /e\.g\. combined: bad status "\\u009b2J\\u202e\\u007f"$/m);
});
