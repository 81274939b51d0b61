import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonObject, parseLine, repairJson } from '../../../src/formats/index.js';
import { hitOf, reasonOf, utc } from './table.js';

void describe('lenient JSON', () => {
  const table: [string, string, string][] = [
    ['valid JSON unchanged', '{"a":"b\\"c"}', '{"a":"b\\"c"}'],
    ['\\x22 is a quote', '{"a":"\\x22hi\\x22"}', '{"a":"\\u0022hi\\u0022"}'],
    ['UTF-8 bytes become one character', '{"a":"caf\\xC3\\xA9"}', '{"a":"caf\\u00e9"}'],
    ['an escaped backslash before x stays', '{"a":"\\\\x41"}', '{"a":"\\\\x41"}'],
    ['a bare - is null', '{"a":-,"b":-1}', '{"a":null,"b":-1}'],
  ];
  for (const [name, input, output] of table) void it(name, () => assert.equal(repairJson(input), output));

  void it('answers with a reason, never throws', () => {
    for (const bad of ['{', '[1]', '"x"', '{"a":\\x}', 'null']) {
      const result = parseJsonObject(bad);
      assert.equal(result.ok, false, bad);
    }
  });
});

void describe('nginx-json format', () => {
  void it('reads the common key names, X-Forwarded-For and a multi-value upstream time', () => {
    const hit = hitOf(
      parseLine(
        '{"time_iso8601":"2024-03-12T09:19:02+01:00","remote_addr":"10.0.0.5","request_method":"POST","request_uri":"/api?x=1","server_protocol":"HTTP/2.0","status":201,"body_bytes_sent":87,"upstream_response_time":"0.020, 0.019","http_user_agent":"okhttp","http_x_forwarded_for":"1.1.1.1, 10.0.0.5","host":"api.example.com","request_id":"7f9a2c"}',
        'auto',
      ),
    );
    assert.deepEqual(
      [
        hit.format,
        hit.time,
        hit.ip,
        hit.forwardedFor,
        hit.method,
        hit.target,
        hit.httpVersion,
        hit.status,
        hit.bytes,
        hit.requestTimeMs,
        hit.vhost,
      ],
      [
        'nginx-json',
        { epochMs: utc(2024, 3, 12, 8, 19, 2), offsetMinutes: 60 },
        '1.1.1.1',
        '1.1.1.1, 10.0.0.5',
        'POST',
        '/api?x=1',
        'HTTP/2.0',
        201,
        87,
        39,
        'api.example.com',
      ],
    );
    assert.deepEqual(hit.extra, { remote_addr: '10.0.0.5', request_id: '7f9a2c' });
  });

  void it("reads nginx's default escaping and camelCase keys", () => {
    const hit = hitOf(
      parseLine(
        '{"@timestamp":"2024-03-12T08:19:04.250Z","remoteAddr":"::1","request":"GET /caf\\xC3\\xA9?q=\\x22x\\x22 HTTP/1.1","status":"404","bodyBytesSent":"-","userAgent":""}',
        'nginx-json',
      ),
    );
    assert.deepEqual(
      [hit.target, hit.ip, hit.bytes, hit.userAgent, hit.time.epochMs],
      ['/café?q="x"', '::1', 0, null, utc(2024, 3, 12, 8, 19, 4, 250)],
    );
  });

  const rejected: [string, string, RegExp][] = [
    [
      'a CLF line',
      '192.0.2.1 - - [12/Mar/2024:08:15:02 +0100] "GET / HTTP/1.1" 200 5',
      /nginx-json: expected a JSON object/,
    ],
    ['no time', '{"status":200,"request":"GET / HTTP/1.1"}', /nginx-json: no time key/],
    ['no status', '{"msec":"1710231421.779","request":"GET / HTTP/1.1"}', /nginx-json: no "status" key/],
    ['no request', '{"msec":"1710231421.779","status":200}', /nginx-json: no "request" key/],
    [
      'a Caddy line',
      '{"ts":1,"status":200,"request":{"method":"GET","uri":"/"}}',
      /nginx-json: "request" is an object/,
    ],
    ['broken JSON', '{"msec":"1710231421.779",', /nginx-json: not JSON/],
  ];
  for (const [name, line, reason] of rejected)
    void it(`rejects ${name}`, () => assert.match(reasonOf(parseLine(line, 'nginx-json')), reason));
});

void describe('caddy format', () => {
  const LINE =
    '{"level":"info","ts":1710231542.001,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"10.0.0.9","remote_port":"50112","client_ip":"1.1.1.1","proto":"HTTP/1.1","method":"POST","host":"api.example.com","uri":"/v1/login?next=%2F","headers":{"user-agent":["curl/8.5.0"],"Referer":["https://a.example/"],"X-Forwarded-For":["1.1.1.1, 10.0.0.9"]},"tls":{"server_name":"api.example.com"}},"bytes_read":52,"user_id":"alice","duration":0.0421,"size":0,"status":303}';

  void it('reads a Caddy access line', () => {
    const hit = hitOf(parseLine(LINE, 'auto'));
    assert.deepEqual(
      [
        hit.format,
        hit.time.epochMs,
        hit.ip,
        hit.forwardedFor,
        hit.user,
        hit.method,
        hit.target,
        hit.httpVersion,
        hit.status,
        hit.bytes,
        hit.userAgent,
        hit.referrer,
        hit.vhost,
        hit.requestTimeMs,
      ],
      [
        'caddy',
        1710231542001,
        '1.1.1.1',
        '1.1.1.1, 10.0.0.9',
        'alice',
        'POST',
        '/v1/login?next=%2F',
        'HTTP/1.1',
        303,
        0,
        'curl/8.5.0',
        'https://a.example/',
        'api.example.com',
        42.1,
      ],
    );
    assert.deepEqual(hit.extra, {
      logger: 'http.log.access',
      remote_ip: '10.0.0.9',
      remote_port: '50112',
      bytes_read: '52',
      tls_server_name: 'api.example.com',
    });
  });

  void it('reads an ISO time (time_format iso8601)', () => {
    const hit = hitOf(
      parseLine(LINE.replace('"ts":1710231542.001', '"ts":"2024-03-12T08:19:02.001+01:00"'), 'caddy'),
    );
    assert.deepEqual(hit.time, { epochMs: utc(2024, 3, 12, 7, 19, 2, 1), offsetMinutes: 60 });
  });

  const rejected: [string, string, RegExp][] = [
    [
      'an nginx JSON line',
      '{"msec":"1","status":200,"request":"GET / HTTP/1.1"}',
      /caddy: no "request" object/,
    ],
    [
      'a request without method',
      '{"ts":1,"status":200,"request":{"uri":"/"}}',
      /caddy: "request" has no "method" and "uri"/,
    ],
    [
      'a bad ts',
      '{"ts":"yesterday","status":200,"request":{"method":"GET","uri":"/"}}',
      /caddy: "ts": bad epoch time/,
    ],
    ['no status', '{"ts":1,"request":{"method":"GET","uri":"/"}}', /caddy: no "status"/],
  ];
  for (const [name, line, reason] of rejected)
    void it(`rejects ${name}`, () => assert.match(reasonOf(parseLine(line, 'caddy')), reason));
});
