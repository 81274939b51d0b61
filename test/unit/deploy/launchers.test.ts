/**
 * Every launcher of lograbbit's long-running processes gives Node the same flags as the bench
 * (`NODE_FLAGS`): the Dockerfile's ENTRYPOINT, `npm start` (and `npm run lograbbit`), and the systemd
 * unit, through NODE_OPTIONS. Also that Node takes them, on the command line and in NODE_OPTIONS,
 * and that they bound the young generation as the README says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { NODE_FLAGS } from '../../../bench/scenarios/end-to-end.js';

const root = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

test('the Dockerfile runs the CLI with the flags', () => {
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(read('Dockerfile'));
  assert.ok(entrypoint, 'no exec-form ENTRYPOINT');
  assert.deepEqual(JSON.parse(entrypoint[1] as string), ['node', ...NODE_FLAGS, 'dist/cli/main.js']);
});

test('npm start and npm run lograbbit run the CLI with the flags', () => {
  const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
  // `exec`: Node replaces npm's shell, so npm's child is lograbbit, whose exit code npm returns (a
  // shell between them dies of the Ctrl-C, and npm exits 130) and to which npm forwards a signal.
  assert.equal(scripts.start, `exec node ${NODE_FLAGS.join(' ')} bin/lograbbit.js run`);
  assert.equal(scripts.lograbbit, `exec node ${NODE_FLAGS.join(' ')} bin/lograbbit.js`);
});

test('the systemd unit gives the flags through NODE_OPTIONS', () => {
  const settings = read('deploy/lograbbit.service')
    .split('\n')
    .filter((line) => line.startsWith('Environment='));
  assert.deepEqual(settings, [`Environment=NODE_OPTIONS=${NODE_FLAGS.join(' ')}`]);
});

// Allocates objects of which some live a while, as the consumer's do, then prints the new space's
// size: V8 grows it to its maximum when many objects survive.
const YOUNG_GENERATION = `
  const keep = [];
  for (let i = 0; i < 2e6; i++) { keep.push({ i, text: 'line ' + i }); if (keep.length > 200000) keep.splice(0, 100000); }
  const space = require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  console.log(space.space_size);
`;

const newSpaceBytes = (args: readonly string[], env: Record<string, string> = {}): number => {
  const run = spawnSync(process.execPath, [...args, '-e', YOUNG_GENERATION], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return Number(run.stdout.trim());
};

test('Node takes the flags on its command line and in NODE_OPTIONS, and they halve the young generation', () => {
  const MiB = 1024 * 1024;
  const byDefault = newSpaceBytes([]);
  const flagged = newSpaceBytes(NODE_FLAGS);
  const throughOptions = newSpaceBytes([], { NODE_OPTIONS: NODE_FLAGS.join(' ') });
  assert.equal(flagged, throughOptions, 'NODE_OPTIONS has the same effect as the command line');
  assert.ok(flagged <= 16 * MiB, `young generation ${flagged / MiB} MiB with the flags`);
  assert.ok(byDefault > flagged, `by default ${byDefault / MiB} MiB, with the flags ${flagged / MiB} MiB`);
});
