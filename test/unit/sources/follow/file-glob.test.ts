import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFileGlob } from '../../../../src/sources/index.js';

test('wildcards in the file name match like the shell; compressed files never', () => {
  const cases: Array<[string, string, boolean]> = [
    ['/var/log/nginx/*.log', 'access.log', true],
    ['/var/log/nginx/*.log', 'access.log.1', false],
    ['/var/log/nginx/*.log*', 'access.log.1', true],
    ['/var/log/nginx/*.log*', 'access.log.2.gz', false],
    ['/var/log/nginx/*.log*', 'access.log.3.zst', false],
    ['/var/log/nginx/*.log', '.hidden.log', false],
    ['/var/log/nginx/access-?.log', 'access-a.log', true],
    ['/var/log/nginx/access-[ab].log', 'access-c.log', false],
    ['/var/log/nginx/access-[!ab].log', 'access-c.log', true],
    ['/var/log/nginx/access.log', 'access.log', true],
    ['/var/log/nginx/access.log', 'access.log.1', false],
    ['/var/log/nginx/a+b(1).log', 'a+b(1).log', true],
  ];
  for (const [pattern, name, expected] of cases) {
    const glob = compileFileGlob(pattern);
    assert.ok(typeof glob !== 'string', pattern);
    assert.equal(glob.matches(name), expected, `${pattern} vs ${name}`);
  }
});

test('wildcards in a directory are refused with a reason', () => {
  assert.match(compileFileGlob('/var/log/*/access.log') as string, /only in the file name/);
  assert.match(compileFileGlob('/var/log/[ab.log') as string, /unclosed \[/);
});
