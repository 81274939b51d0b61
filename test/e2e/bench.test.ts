/**
 * `npm run bench` as a user runs it, on a tiny input: it must build, run every scenario against the
 * real RabbitMQ and MariaDB, and print its table and its JSON. Nothing here judges a figure: speed
 * and memory are the benchmark's to measure, not a test's to assert (the pipeline's exactness is
 * checked by the bench itself, which fails unless every line has its rows).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tuningSchema } from '../../src/config/index.js';
import { REPO_ROOT, runCommand } from '../helpers/cli.js';
import type { CliResult } from '../helpers/cli.js';

/** `npm run bench -- …args` (which builds first), or the script alone with `build: false`. */
function bench(args: readonly string[], { build = true } = {}): Promise<CliResult> {
  return build
    ? runCommand('npm', ['run', '--silent', 'bench', '--', ...args], { cwd: REPO_ROOT, timeoutMs: 240_000 })
    : runCommand(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: REPO_ROOT });
}

void describe('npm run bench', () => {
  test('--help shows the product’s own defaults; a bad option is one line and exit 2', async () => {
    // Options are read before anything is built or measured.
    const help = await bench(['--help'], { build: false });
    assert.equal(help.code, 0, help.stderr);
    const defaults = tuningSchema.parse({});
    assert.match(help.stdout, new RegExp(`--prefetch <n> .*\\(default: ${defaults.prefetch}\\)`));
    assert.match(
      help.stdout,
      new RegExp(`--write-batch-rows <n> .*\\(default: ${defaults.writeBatchRows}\\)`),
    );
    assert.match(help.stdout, new RegExp(`--batch-lines <n> .*\\(default: ${defaults.batchLines}\\)`));

    const bad = await bench(['--lines', '0'], { build: false });
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /--lines: expected a whole number of at least 1/);
  });

  test('runs every scenario on a small input and prints the table and one JSON object', async () => {
    const run = await bench(['--lines', '3000', '--latency-seconds', '1', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    const figures = JSON.parse(lines.at(-1) ?? '') as Record<string, unknown>;
    assert.equal(figures.lines, 3000);
    assert.equal(figures.writeBatchRows, tuningSchema.parse({}).writeBatchRows);
    for (const key of [
      'endToEndLinesPerSecond',
      'directInsertLinesPerSecond',
      'parseEnrichLinesPerSecondPerCore',
      'brokerOnlyLinesPerSecond',
      'ratio',
    ]) {
      assert.ok(typeof figures[key] === 'number' && figures[key] > 0, `${key}: ${String(figures[key])}`);
    }
    assert.equal((figures.directInsertRuns as unknown[]).length, 3);
    const rss = figures.peakRssMb as { producer: number; consumers: number[] };
    assert.ok(
      rss.producer > 0 && rss.consumers.length === 1 && (rss.consumers[0] ?? 0) > 0,
      JSON.stringify(rss),
    );
    const latency = figures.followLatencyMs as { p50: number; p99: number; missing: number };
    assert.equal(latency.missing, 0, 'every appended line reached clean_log');
    assert.ok(latency.p50 > 0 && latency.p99 >= latency.p50, JSON.stringify(latency));
    // The table names each measure with its target.
    assert.ok(lines.includes('| measure | figure | target |'), run.stdout);
    assert.ok(
      lines.some((line) => line.startsWith('| end to end / direct insert |')),
      run.stdout,
    );
  });
});
