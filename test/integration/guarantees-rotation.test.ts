/**
 * The promise through logrotate while the producer is down: `produce --follow` is stopped, the log is
 * rotated twice (rename and create, copytruncate, and mixes of both, as logrotate does them: older
 * generations shifted first), with lines written before, between and after the rotations; then
 * `produce --follow` starts again. Every line written must end up exactly once in raw_log and once
 * in clean_log or rejected_log. A generation compressed before it was read is a gap that cannot be
 * closed: it is said once, as a warning and as `lograbbit_follow_lost_bytes_total`. Three rotations
 * are in guarantees-rotation-thrice.test.ts (a file of their own, so that both run side by side).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { useLiveSuite } from '../helpers/live-suite.js';
import { waitFor } from '../helpers/cli.js';
import { freePort, startLograbbit } from '../helpers/processes.js';
import {
  NO_ENRICHMENT,
  RotatedLog,
  drainAndCheck,
  followThenStop,
  rotatedWhileDown,
  startProducer,
  stopCleanly,
  waitForRows,
} from '../helpers/rotated-log.js';

const suite = useLiveSuite('guarantees_rotation');

describe('rotated while the producer is down', () => {
  for (const rotations of [
    ['rename', 'rename'],
    ['copytruncate', 'copytruncate'],
    ['rename', 'copytruncate'],
    ['copytruncate', 'rename'],
  ] as const) {
    test(`${rotations.join(' then ')}: every generation is read, every line stored once`, () =>
      rotatedWhileDown(suite, rotations));
  }

  test('a generation compressed before it was read: its bytes are said lost, once, the rest stored once', async () => {
    const dir = join(suite.dir, 'compressed');
    await mkdir(dir);
    const log = new RotatedLog(join(dir, 'gz.log'), 'gz.log');
    const stateDir = join(dir, 'state');
    const consumer = startLograbbit(['consume', ...NO_ENRICHMENT], { env: suite.services.env });
    await followThenStop(suite, log, stateDir);
    const confirmedBytes = (await stat(log.path)).size;

    // While down: lines written to the checkpointed file, two renames, and the older generation
    // compressed by logrotate (`compress` without `delaycompress`): its unread lines are gone.
    await log.append(200);
    await log.rotate('rename');
    await log.append(200);
    await log.rotate('rename');
    const oldest = `${log.path}.2`;
    const content = await readFile(oldest);
    await writeFile(`${oldest}.gz`, gzipSync(content));
    await unlink(oldest);
    const lostBytes = content.length - confirmedBytes;
    const lostLines = content.subarray(confirmedBytes).toString().split('\n').filter(Boolean);
    await log.append(200);

    const metricsPort = await freePort();
    const producer = startProducer(suite, log, stateDir, metricsPort);
    const expected = log.lines.filter((line) => !lostLines.includes(line));
    await waitForRows(suite, log.source, expected.length);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(metrics, new RegExp(`^lograbbit_follow_lost_bytes_total ${lostBytes}$`, 'm'));
    const output = await stopCleanly(producer, 'produce --follow');
    const warnings = output.split('\n').filter((line) => /bytes lost/.test(line));
    assert.equal(warnings.length, 1, `one warning:\n${output}`);
    assert.match(warnings[0] ?? '', new RegExp(`"lostBytes":${lostBytes}\\b`));

    // Said once: a second start finds nothing new to say.
    const again = startProducer(suite, log, stateDir, undefined, 'info');
    // The catch-up comes before the followed file is opened: once that is said, the warning would be too.
    await waitFor(
      'the second start to open the log',
      () => /"msg":"following: /.test(again.stderr()),
      15_000,
    );
    assert.doesNotMatch(await stopCleanly(again, 'produce --follow'), /bytes lost/);
    await drainAndCheck(
      suite,
      consumer,
      log,
      expected.map((line) => Buffer.from(line)),
    );
  });
});
