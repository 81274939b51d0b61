/**
 * The share of lines accepted on public real-world logs (test/fixtures/real-world/, sources and
 * licences in its README), against GoAccess 1.7 on the same files. GoAccess's figures are recorded
 * here; when a `goaccess` binary is on the PATH they are measured again, so the record cannot drift.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createDetectMemo, parseLine } from '../../../src/formats/index.js';

const DIR = fileURLToPath(new URL('../../fixtures/real-world/', import.meta.url));

interface Case {
  readonly file: string;
  readonly lines: number;
  /** Lines lograbbit stores in clean_log (auto-detection, one memo per file, as `ingest` reads it). */
  readonly accepted: number;
  /** Of those, lines stored with a parser's damage code, by code. */
  readonly damaged: Readonly<Record<string, number>>;
  /** The `--log-format` a GoAccess user would give for this file, and the lines GoAccess 1.7 found valid. */
  readonly goaccessFormat: 'COMBINED' | 'VCOMBINED';
  readonly goaccessValid: number;
}

const CASES: readonly Case[] = [
  // Mixed Common, combined, combined + "-" and a vhost-first line.
  {
    file: 'beats-apache-test.log',
    lines: 7,
    accepted: 7,
    damaged: {},
    goaccessFormat: 'COMBINED',
    goaccessValid: 3,
  },
  {
    file: 'beats-nginx-access.log',
    lines: 13,
    accepted: 13,
    damaged: {},
    goaccessFormat: 'COMBINED',
    goaccessValid: 12,
  },
  // ingress-nginx's upstreaminfo: combined + request length, request time, upstream name, address…
  {
    file: 'beats-nginx-ingress-controller-test.log',
    lines: 29,
    accepted: 29,
    damaged: {},
    goaccessFormat: 'COMBINED',
    goaccessValid: 29,
  },
  // Client fields that are X-Forwarded-For lists (`10.0.0.2, 10.0.0.1, 127.0.0.1 - - […]`): neither reads them.
  {
    file: 'beats-nginx-test-with-host.log',
    lines: 10,
    accepted: 5,
    damaged: {},
    goaccessFormat: 'VCOMBINED',
    goaccessValid: 3,
  },
  {
    file: 'beats-nginx-test.log',
    lines: 7,
    accepted: 3,
    damaged: {},
    goaccessFormat: 'COMBINED',
    goaccessValid: 3,
  },
  // Line 8899 of the original: a Googlebot user agent cut before its closing quote.
  {
    file: 'elastic-examples-apache_logs-8700-9199.log',
    lines: 500,
    accepted: 500,
    damaged: { 'unterminated:user_agent': 1 },
    goaccessFormat: 'COMBINED',
    goaccessValid: 500,
  },
  {
    file: 'lnav-access_log.log',
    lines: 3,
    accepted: 3,
    damaged: {},
    goaccessFormat: 'COMBINED',
    goaccessValid: 3,
  },
  // A line without its ident and user fields.
  {
    file: 'lnav-bad_access_log.log',
    lines: 3,
    accepted: 3,
    damaged: { 'missing:ident_user': 1 },
    goaccessFormat: 'COMBINED',
    goaccessValid: 3,
  },
  {
    file: 'lnav-regexp_access_log.log',
    lines: 2,
    accepted: 2,
    damaged: {},
    goaccessFormat: 'VCOMBINED',
    goaccessValid: 2,
  },
  {
    file: 'lnav-shop_access_log-head300.log',
    lines: 300,
    accepted: 300,
    damaged: {},
    goaccessFormat: 'COMBINED',
    goaccessValid: 300,
  },
];

function linesOf(file: string): string[] {
  return readFileSync(join(DIR, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** GoAccess's valid requests on `file`, or null when no GoAccess 1.7 is installed. */
function goaccessValid(file: string, format: string): number | null {
  const version = spawnSync('goaccess', ['--version'], { encoding: 'utf8' });
  if (version.error !== undefined || !/GoAccess - 1\.7\b/.test(version.stdout)) return null;
  const dir = mkdtempSync(join(tmpdir(), 'lograbbit-goaccess-'));
  try {
    const report = join(dir, 'report.json');
    const args = [
      join(DIR, file),
      `--log-format=${format}`,
      '--num-tests=0',
      '--no-global-config',
      '-o',
      report,
    ];
    const run = spawnSync('goaccess', args, { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const general = (JSON.parse(readFileSync(report, 'utf8')) as { general: { valid_requests: number } })
      .general;
    return general.valid_requests;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void describe('real-world logs: lines accepted, against GoAccess 1.7', () => {
  for (const c of CASES) {
    void it(`${c.file}: ${c.accepted}/${c.lines} accepted (GoAccess ${c.goaccessValid})`, () => {
      const lines = linesOf(c.file);
      assert.equal(lines.length, c.lines);
      const memo = createDetectMemo();
      let accepted = 0;
      const damaged: Record<string, number> = {};
      for (const line of lines) {
        const result = parseLine(line, 'auto', memo);
        if (!result.ok) continue;
        accepted++;
        if (result.hit.damage !== null) damaged[result.hit.damage] = (damaged[result.hit.damage] ?? 0) + 1;
      }
      assert.equal(accepted, c.accepted);
      assert.deepEqual(damaged, c.damaged);
      assert.ok(accepted >= c.goaccessValid, 'lograbbit accepts at least what GoAccess does');
      const measured = goaccessValid(c.file, c.goaccessFormat);
      if (measured !== null) assert.equal(measured, c.goaccessValid, 'the recorded GoAccess figure');
    });
  }

  void it('in all, lograbbit accepts more of these lines than GoAccess', () => {
    const sum = (pick: (c: Case) => number): number => CASES.reduce((n, c) => n + pick(c), 0);
    assert.deepEqual(
      [sum((c) => c.lines), sum((c) => c.accepted), sum((c) => c.goaccessValid)],
      [874, 865, 858],
    );
  });
});
