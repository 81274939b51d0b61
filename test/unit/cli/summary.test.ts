/** The end-of-command report: where the lines are, whoever stored them, and the inputs mostly rejected. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { printReport } from '../../../src/cli/summary.js';
import type { RunReport } from '../../../src/cli/summary.js';

const printed = (report: RunReport, json = false): string => {
  const out = new PassThrough();
  printReport(report, json, out);
  return String(out.read());
};

const produced = { lines: 306, blank: 0, truncated: 0, bytes: 40_000, confirmed: 306, messages: 4 };
const base = { command: 'ingest', inputs: 2, seconds: 1.5, interrupted: false, produced };

test('all lines stored, by this process or another consumer', () => {
  const text = printed({
    ...base,
    storedLines: { all: true, lines: 306, raw: 306, clean: 200, rejected: 106 },
  });
  assert.match(
    text,
    /\n {2}stored {5}all 306 lines, by this process or another consumer: 200 in clean_log, 106 in rejected_log\n/,
  );
});

test('lines not all stored: how many, and where the others may be', () => {
  const text = printed({
    ...base,
    storedLines: { all: false, lines: 306, raw: 296, clean: 290, rejected: 6 },
  });
  assert.match(text, /stored {5}296 of 306 lines in raw_log .*held by another consumer, or in data-dead/);
});

test('each mostly rejected input once, with its share and cause; in JSON too', () => {
  const mostlyRejected = [
    { input: 'samples/README.md', lines: 40, rejected: 38, likelyCause: 'not an access log?' },
    { input: 'bad\u001b[2Jname', lines: 3, rejected: 3, likelyCause: 'not text: a binary file?' },
  ];
  const text = printed({ ...base, mostlyRejected });
  assert.match(
    text,
    /\n {2}warning {4}samples\/README\.md: 38 of 40 lines rejected \(95%\): not an access log\?\n/,
  );
  assert.ok(
    text.includes('bad\\u001b[2Jname: 3 of 3 lines rejected (100%)'),
    'a name never drives the terminal',
  );
  assert.equal(text.match(/README/g)?.length, 1);
  const json = JSON.parse(printed({ ...base, mostlyRejected }, true)) as { mostlyRejected: unknown };
  assert.deepEqual(json.mostlyRejected, mostlyRejected);
});
