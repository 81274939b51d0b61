import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compileApacheFormat,
  compileNginxFormat,
  type CompileResult,
  type CustomFormat,
} from '../../../src/formats/index.js';
import { hitOf, reasonOf, utc } from './table.js';

function compiled(result: CompileResult): CustomFormat {
  if (!result.ok) assert.fail(result.reason);
  return result.format;
}

/** Why a spec cannot be compiled; fails when it can. */
function refusal(result: CompileResult): string {
  if (result.ok) assert.fail('compiled');
  return result.reason;
}

const NGINX =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" rt=$request_time uct="$upstream_connect_time" urt="$upstream_response_time" rid=$request_id';

void describe('nginx log_format', () => {
  const format = compiled(compileNginxFormat(NGINX));

  void it('reads the known variables into fields and the unknown ones into extra', () => {
    const hit = hitOf(
      format.parse(
        '10.1.1.1 - bob [12/Mar/2024:08:20:02 +0100] "POST /api HTTP/2.0" 502 0 "-" "ok \\"http\\"" "1.1.1.1, 10.1.1.1" rt=1.503 uct="0.001, 0.000" urt="1.001, 0.500" rid=2c26b4',
      ),
    );
    assert.deepEqual(
      [
        hit.format,
        hit.ip,
        hit.forwardedFor,
        hit.user,
        hit.time.epochMs,
        hit.method,
        hit.target,
        hit.status,
        hit.bytes,
        hit.userAgent,
        hit.requestTimeMs,
      ],
      [
        'custom',
        '1.1.1.1',
        '1.1.1.1, 10.1.1.1',
        'bob',
        utc(2024, 3, 12, 7, 20, 2),
        'POST',
        '/api',
        502,
        0,
        'ok "http"',
        1503,
      ],
    );
    assert.deepEqual(hit.extra, {
      remote_addr: '10.1.1.1',
      upstream_connect_time: '0.001, 0.000',
      upstream_response_time: '1.001, 0.500',
      request_id: '2c26b4',
    });
  });

  void it('takes the upstream time when there is no request time', () => {
    const f = compiled(
      compileNginxFormat('$time_iso8601 $status $request_method $uri?$args $upstream_response_time'),
    );
    const hit = hitOf(f.parse('2024-03-12T08:20:02Z 200 GET /p?a=1 0.002, 0.004'));
    assert.deepEqual(
      [hit.target, hit.requestTimeMs, hit.time.epochMs],
      ['/p?a=1', 6, utc(2024, 3, 12, 8, 20, 2)],
    );
  });

  void it('splits $uri$is_args$args at the question mark', () => {
    const f = compiled(compileNginxFormat('[$time_local] "$request_method $uri$is_args$args" $status'));
    const withQuery = hitOf(f.parse('[12/Mar/2024:08:20:02 +0000] "GET /p?a=1&b" 200'));
    const without = hitOf(f.parse('[12/Mar/2024:08:20:02 +0000] "GET /p" 200'));
    assert.deepEqual([withQuery.target, without.target], ['/p?a=1&b', '/p']);
  });

  void it('accepts ${name} and reads $msec', () => {
    const f = compiled(compileNginxFormat('${msec}|${status}|${request}'));
    const hit = hitOf(f.parse('1710231421.779|204|GET /x HTTP/1.1'));
    assert.deepEqual([hit.time.epochMs, hit.status, hit.target], [1710231421779, 204, '/x']);
  });

  const bad: [string, string, RegExp][] = [
    ['no time', '$remote_addr $status', /no time variable/],
    ['no status', '[$time_local] $request', /no status variable/],
    [
      'two variables with nothing between',
      '[$time_local] $status$body_bytes_sent',
      /have no text between them/,
    ],
    ['a lone $', '[$time_local] $status $', /not followed by a variable name/],
    ['an unterminated ${', '[$time_local] $status ${x', /unterminated/],
  ];
  for (const [name, spec, reason] of bad) {
    void it(`refuses a format with ${name}`, () => assert.match(refusal(compileNginxFormat(spec)), reason));
  }

  const rejected: [string, string, RegExp][] = [
    [
      'a line of another shape',
      '8.8.8.8 - - [12/Mar/2024:08:20:02 +0100] "GET / HTTP/1.1" 200 5',
      /custom: unterminated body_bytes_sent "5"/,
    ],
    [
      'a bad time',
      '8.8.8.8 - - [32/Mar/2024:08:20:02 +0100] "GET / HTTP/1.1" 200 5 "-" "-" "-" rt=0 uct="-" urt="-" rid=x',
      /custom: bad day/,
    ],
    [
      'a bad status',
      '8.8.8.8 - - [12/Mar/2024:08:20:02 +0100] "GET / HTTP/1.1" 2000 5 "-" "-" "-" rt=0 uct="-" urt="-" rid=x',
      /custom: bad status/,
    ],
  ];
  for (const [name, line, reason] of rejected)
    void it(`rejects ${name}`, () => assert.match(reasonOf(format.parse(line)), reason));
});

void describe('Apache LogFormat', () => {
  void it('reads httpd.conf syntax with \\" and modifiers, unknown directives into extra', () => {
    const f = compiled(
      compileApacheFormat(
        '%v:%p %h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%!200,304{User-Agent}i\\" %D %{X-Request-Id}i %L',
      ),
    );
    const hit = hitOf(
      f.parse(
        'www.example.com:443 8.8.8.8 ident - [12/Mar/2024:08:20:02.250 -0330] "GET /a?b HTTP/1.1" 200 5120 "https://r.example/" "UA" 1234 req-1 XyZ',
      ),
    );
    assert.deepEqual(
      [
        hit.vhost,
        hit.ip,
        hit.time.epochMs,
        hit.target,
        hit.status,
        hit.bytes,
        hit.referrer,
        hit.userAgent,
        hit.requestTimeMs,
      ],
      [
        'www.example.com',
        '8.8.8.8',
        utc(2024, 3, 12, 11, 50, 2, 250),
        '/a?b',
        200,
        5120,
        'https://r.example/',
        'UA',
        1.234,
      ],
    );
    assert.deepEqual(hit.extra, { '%p': '443', ident: 'ident', '%{X-Request-Id}i': 'req-1', '%L': 'XyZ' });
  });

  void it('reads %m %U%q %H and %{ms}T, and %% as a literal', () => {
    const f = compiled(compileApacheFormat('%{sec}t %s %m %U%q %H 100%% %{ms}T'));
    const hit = hitOf(f.parse('1710231421 404 GET /p?x=1 HTTP/1.0 100% 17'));
    assert.deepEqual(
      [hit.time.epochMs, hit.status, hit.method, hit.target, hit.httpVersion, hit.requestTimeMs],
      [1710231421000, 404, 'GET', '/p?x=1', 'HTTP/1.0', 17],
    );
  });

  void it('refuses a format without a time', () => {
    assert.match(refusal(compileApacheFormat('%h %>s')), /no time variable/);
  });
});
