/** samples/access.log: the demo's input, with the awkward lines it must show handled, and reproducible. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const text = readFileSync(join(root, 'samples/access.log'), 'utf8');
const lines = text.split('\n').slice(0, -1);

test('has a few hundred lines and ends with a newline', () => {
  assert.ok(lines.length >= 200, `${lines.length} lines`);
  assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'));
  assert.ok(lines.every((line) => line.length > 0 && !line.includes('\r')));
});

test('is in the proxy format, absolute URLs and the reference offset, but for its awkward lines', () => {
  const proxy =
    /^\S+ ([A-Za-z0-9]{15}|-) \S+ \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d -0500\] "[A-Z]+ https?:\/\/[^\s"]+:\d+\/[^\s"]* HTTP\/\d\.\d" \d{3} \d+ -$/;
  const odd = lines.filter((line) => !proxy.test(line));
  assert.equal(odd.length, 2, `unexpected lines:\n${odd.join('\n')}`);
});

test('contains the awkward cases the demo shows handled', () => {
  const twice = lines.some((line, i) => i > 0 && line === lines[i - 1]);
  assert.ok(twice, 'two identical lines in a row');
  assert.ok(
    lines.some((line) => line.includes('"HEAD https://')),
    'a HEAD request',
  );
  assert.ok(
    lines.some((line) => line.includes('"OPTIONS https://')),
    'an OPTIONS request',
  );
  assert.ok(
    lines.some((line) => /^[0-9a-f]{1,4}:[0-9a-f:]+ /.test(line)),
    'an IPv6 client',
  );
  assert.ok(
    lines.some((line) => !line.includes('[') && line.includes('"GET ')),
    'a line with no [time]',
  );
  assert.ok(
    lines.some((line) => line.includes('"\\x16\\x03')),
    'a TLS handshake logged as escaped bytes',
  );
  const middle = lines.findIndex((line) => !line.includes('['));
  assert.ok(middle > 50 && middle < lines.length - 50, 'the awkward lines are in the middle');
});

test('scripts/make-sample.ts writes exactly this file again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lograbbit-sample-'));
  try {
    const out = join(dir, 'access.log');
    execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/make-sample.ts'), out], {
      cwd: root,
      stdio: 'pipe',
    });
    assert.equal(
      readFileSync(out, 'utf8'),
      text,
      'samples/access.log is out of date: run npx tsx scripts/make-sample.ts',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
