/**
 * The consumer's memory through a catch-up: N simulated lines published with no consumer running,
 * then `lograbbit consume --until-idle` drains both queues as fast as the database takes them. This
 * is the part of the outage flood (outage-flood.ts) where the consumer peaks, in a minute instead of
 * four, and without the outage's timing, so that several runs can be compared.
 * Reports each run's peak RSS (VmHWM, read by the consumer itself at its exit) and its time.
 *
 *   npm run build && npx tsx bench/catch-up-memory.ts [--lines 1000000] [--runs 3] [--profile]
 *
 * `--profile` also writes, per run, the allocation sites of what the consumer let die in its old
 * space (bench/memory/old-space-sites.mjs) to a file it names: the profiler slows the consumer, so
 * its peaks are not the figures to report. As outage-flood.ts, the processes run on the Node that
 * runs this script (put another Node first in PATH to measure it), with the launchers' flags.
 * Figures go in bench/RESULTS.md.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createTestServices } from '../test/helpers/services.js';
import { writeSimulatedLog } from './scenarios/input.js';
import { COMPILED_CLI, NODE_FLAGS } from './scenarios/end-to-end.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    profile: { type: 'boolean', default: false },
  },
});
const lines = Number(values.lines);
const runs = Number(values.runs);
if (!Number.isInteger(lines) || lines < 1 || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write('catch-up-memory: --lines and --runs take a positive whole number\n');
  process.exit(2);
}
const say = (text: string): void => void process.stderr.write(`${new Date().toISOString()} ${text}\n`);
const PEAK_REPORTER = fileURLToPath(new URL('memory/peak-at-exit.mjs', import.meta.url));
const SITES_PROFILER = fileURLToPath(new URL('memory/old-space-sites.mjs', import.meta.url));

function lograbbit(args: readonly string[], env: Record<string, string>, flags: readonly string[] = []) {
  const child = spawn(process.execPath, [...NODE_FLAGS, ...flags, COMPILED_CLI, ...args], {
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise<number | null>((resolve) => child.on('exit', resolve));
}

const dir = await mkdtemp(join(os.tmpdir(), 'lograbbit-catch-up-'));
const results: Array<{ consumerPeakMB: number; seconds: number; sitesFile?: string }> = [];
try {
  say(`catch-up: ${lines} simulated lines, ${runs} runs, Node ${process.version}`);
  const input = await writeSimulatedLog(join(dir, 'catch-up.log'), lines, 'combined');
  for (let run = 1; run <= runs; run++) {
    const services = await createTestServices('catchup');
    try {
      if ((await lograbbit(['setup'], services.env)) !== 0) throw new Error('setup failed');
      const published = await lograbbit(['produce', input.path, '--source', 'catch-up.log'], services.env);
      if (published !== 0) throw new Error(`produce exited ${published}`);
      const peakFile = join(dir, `peak-${run}`);
      const sitesFile = values.profile
        ? join(os.tmpdir(), `lograbbit-old-space-sites-${run}.txt`)
        : undefined;
      const flags = ['--import', PEAK_REPORTER, ...(sitesFile ? ['--import', SITES_PROFILER] : [])];
      const startedAt = performance.now();
      const code = await lograbbit(
        ['consume', '--no-setup', '--until-idle'],
        {
          ...services.env,
          PEAK_AT_EXIT_FILE: peakFile,
          ...(sitesFile ? { OLD_SPACE_SITES_FILE: sitesFile } : {}),
        },
        flags,
      );
      const seconds = (performance.now() - startedAt) / 1000;
      if (code !== 0) throw new Error(`consume exited ${code}`);
      const consumerPeakMB = Math.round(Number(await readFile(peakFile, 'utf8')) / 1e5) / 10;
      results.push({
        consumerPeakMB,
        seconds: Math.round(seconds * 10) / 10,
        ...(sitesFile ? { sitesFile } : {}),
      });
      say(`catch-up: run ${run}: consumer peak ${consumerPeakMB} MB, ${seconds.toFixed(1)} s`);
    } finally {
      await services.teardown();
    }
  }
  process.stdout.write(`${JSON.stringify({ lines, node: process.version, runs: results }, null, 2)}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
