/**
 * A real web server: nginx from Debian's packages on 127.0.0.1, writing its access log in its default
 * combined format, real requests made with curl and a burst made with ab; `run` follows the log, and
 * every request appears in clean_log with its path, status and size.
 *
 * Needs `nginx` (Debian: nginx-light or nginx), `curl` and `ab` (apache2-utils).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RowDataPacket } from 'mysql2/promise';
import { useLiveSuite } from '../helpers/live-suite.js';
import { which } from '../helpers/which.js';
import { waitFor } from '../helpers/cli.js';
import { freePort, startLograbbit, startProcess } from '../helpers/processes.js';

const exec = promisify(execFile);

// nginx's workers run as nobody when the test runs as root: they must reach the files.
const suite = useLiveSuite('nginx', (dir) => chmod(dir, 0o755));

interface Request {
  readonly path: string;
  readonly query?: string;
  readonly head?: boolean;
}

test('nginx on 127.0.0.1: every request made appears in clean_log with its path, status and size', async () => {
  const nginx = which('nginx');
  const curl = which('curl');
  assert.ok(
    nginx && curl,
    'this test needs nginx and curl: apt-get update && apt-get install -y nginx-light curl apache2-utils',
  );
  const ab = which('ab');
  assert.ok(ab, 'this test needs ab for its burst: apt-get install -y apache2-utils');

  const www = join(suite.dir, 'www');
  const logs = join(suite.dir, 'logs');
  await mkdir(www, { recursive: true, mode: 0o755 });
  await mkdir(logs, { recursive: true, mode: 0o755 });
  await writeFile(
    join(www, 'index.html'),
    `<!doctype html><title>lograbbit</title>${'<p>hello</p>'.repeat(40)}\n`,
  );
  await writeFile(join(www, 'small.txt'), 'small\n');
  await writeFile(join(www, 'big.bin'), Buffer.alloc(150_000, 0x61));
  const port = await freePort();
  const config = join(suite.dir, 'nginx.conf');
  await writeFile(
    config,
    `daemon off;
worker_processes 1;
pid ${suite.dir}/nginx.pid;
error_log ${logs}/error.log;
events { worker_connections 128; }
http {
  access_log ${logs}/access.log;
  client_body_temp_path ${suite.dir}/client-body;
  proxy_temp_path ${suite.dir}/proxy;
  fastcgi_temp_path ${suite.dir}/fastcgi;
  uwsgi_temp_path ${suite.dir}/uwsgi;
  scgi_temp_path ${suite.dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${www};
    location = /gone { return 410; }
    location /api/ { return 200 '{"ok":true}'; }
  }
}
`,
  );
  const server = startProcess(nginx, ['-p', suite.dir, '-e', `${logs}/error.log`, '-c', config]);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    `nginx answering on ${base}`,
    async () => {
      if (server.stderr().includes('emerg')) throw new Error(`nginx did not start:\n${server.stderr()}`);
      return exec(curl, ['-s', '-o', '/dev/null', `${base}/small.txt`]).then(
        () => true,
        () => false,
      );
    },
    20_000,
  );

  const running = startLograbbit(
    ['run', join(logs, 'access.log'), '--state-dir', join(suite.dir, 'state'), '--no-geo', '--no-user-agent'],
    { env: suite.services.env },
  );

  const expected: string[] = [];
  const requests: Request[] = [
    { path: '/' },
    { path: '/index.html' },
    { path: '/index.html', query: 'q=lograbbit&page=2' },
    { path: '/small.txt' },
    { path: '/big.bin' },
    { path: '/big.bin', head: true },
    { path: '/no/such/page' },
    { path: '/gone' },
    { path: '/api/status' },
  ];
  // The warm-up request above is in the log too.
  expected.push(`/small.txt 200 6`);
  for (let round = 0; round < 3; round++) {
    for (const request of requests) {
      const url = `${base}${request.path}${request.query ? `?${request.query}` : ''}`;
      const { stdout } = await exec(curl, [
        '-s',
        ...(request.head ? ['-I'] : []),
        '-o',
        '/dev/null',
        '-w',
        '%{http_code} %{size_download}',
        url,
      ]);
      const [status, size] = stdout.trim().split(' ');
      expected.push(`${request.path} ${status} ${request.head ? 0 : size}`);
    }
  }
  const burst = 300;
  const { stdout: abReport } = await exec(ab, ['-q', '-n', String(burst), '-c', '8', `${base}/small.txt`]);
  assert.match(abReport, new RegExp(`Complete requests:\\s+${burst}`));
  for (let n = 0; n < burst; n++) expected.push('/small.txt 200 6');

  const sql = await suite.services.sql();
  const stored = async (): Promise<string[]> => {
    const [rows] = await sql.query<RowDataPacket[]>(
      'SELECT path, status, bytes FROM clean_log WHERE source = ?',
      ['access.log'],
    );
    return rows.map((row) => `${String(row.path)} ${Number(row.status)} ${Number(row.bytes)}`);
  };
  await waitFor(
    `${expected.length} requests in clean_log`,
    async () => (await stored()).length >= expected.length,
  );
  const exit = await running.stop('SIGTERM');
  assert.equal(exit.code, 0, exit.stderr);
  await server.stop('SIGQUIT');

  assert.deepEqual((await stored()).sort(), expected.sort());
  const [[rejected]] = await sql.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM rejected_log');
  assert.equal(Number(rejected?.n), 0, 'nginx lines are all parsed');
});
