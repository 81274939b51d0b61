/**
 * Round trips for the formats beyond proxy/common/combined: a line rendered from generated values
 * (by code that shares nothing with the parsers) parses back to those values, through auto-detection.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { FormatName, ParsedHit } from '../../../src/domain/index.js';
import {
  compileApacheFormat,
  compileNginxFormat,
  createDetectMemo,
  parseLine,
  type CompileResult,
  type CustomFormat,
} from '../../../src/formats/index.js';
import { renderClfTime } from './render-line.js';
import { utc } from './table.js';

const RUNS = { numRuns: 300 };

interface Values {
  readonly ip: string;
  readonly user: string | null;
  readonly epochMs: number;
  readonly offsetMinutes: number;
  readonly method: string;
  readonly target: string;
  readonly httpVersion: string;
  readonly status: number;
  readonly bytes: number;
  readonly referrer: string | null;
  readonly userAgent: string | null;
  readonly vhost: string;
  readonly ms: number;
}

const quotedText = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom('"', '\\', "'", ' ', ';', '%', '[', ']', 'é', '🤖'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    ),
  })
  .filter((s) => s !== '-' && s !== '');
const word = fc.stringMatching(/^[A-Za-z0-9/().;:,_-]{1,12}$/).filter((s) => s !== '-');
const plainText = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));
const pathChar = fc.oneof(
  fc.constantFrom('/', '?', '&', '=', '%', ';', '#', 'é'),
  fc.constantFrom(...'abcxyzABC0129-._~'),
);
const path = fc.string({ unit: pathChar }).map((s) => `/${s}`);
const token = fc.stringMatching(/^[A-Za-z0-9._@+-]{1,20}$/).filter((s) => s !== '-');
const host = fc.domain().map((d) => d.toLowerCase());

const values = (
  opts: {
    target?: fc.Arbitrary<string>;
    text?: fc.Arbitrary<string>;
    utcOnly?: boolean;
    maxYear?: number;
  } = {},
): fc.Arbitrary<Values> =>
  fc.record({
    ip: fc.oneof(fc.ipV4(), fc.ipV6()),
    user: fc.option(token),
    epochMs: fc
      .integer({ min: utc(1971, 1, 2) / 1000, max: utc(opts.maxYear ?? 9999, 12, 30) / 1000 })
      .map((s) => s * 1000),
    offsetMinutes: opts.utcOnly ? fc.constant(0) : fc.integer({ min: -840, max: 840 }),
    method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND'),
    target: opts.target ?? path,
    httpVersion: fc.constantFrom('HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0'),
    status: fc.integer({ min: 100, max: 599 }),
    bytes: fc.nat(10_000_000),
    referrer: fc.option(opts.text ?? quotedText),
    userAgent: fc.option(opts.text ?? quotedText),
    vhost: host,
    ms: fc.integer({ min: 0, max: 999 }),
  });

const esc = (s: string): string => s.replace(/[\\"]/g, (c) => `\\${c}`);
const dash = (s: string | null): string => s ?? '-';
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const iso = (epochMs: number): string => new Date(epochMs).toISOString();
const clf = (v: Values): string => renderClfTime(v.epochMs + v.ms, v.offsetMinutes, true);
const clfHead = (v: Values): string =>
  `${v.ip} - ${dash(v.user)} [${clf(v)}] "${esc(`${v.method} ${v.target} ${v.httpVersion}`)}" ${v.status} ${v.bytes}`;

type Check = (hit: ParsedHit, v: Values) => void;
const same = (hit: ParsedHit, expected: Partial<ParsedHit>): void => {
  for (const [key, value] of Object.entries(expected))
    assert.deepEqual(hit[key as keyof ParsedHit], value, key);
};
const common = (v: Values, withUser = true): Partial<ParsedHit> => ({
  ip: v.ip,
  method: v.method,
  target: v.target,
  status: v.status,
  bytes: v.bytes,
  ...(withUser ? { user: v.user } : {}),
});

const CASES: [FormatName, fc.Arbitrary<Values>, (v: Values) => string, Check][] = [
  [
    'vcombined',
    values(),
    (v) => `${v.vhost}:443 ${clfHead(v)} "${esc(dash(v.referrer))}" "${esc(dash(v.userAgent))}"`,
    (hit, v) =>
      same(hit, {
        ...common(v),
        vhost: `${v.vhost}:443`,
        referrer: v.referrer,
        userAgent: v.userAgent,
        time: { epochMs: v.epochMs + v.ms, offsetMinutes: v.offsetMinutes },
      }),
  ],
  [
    'traefik',
    values(),
    (v) =>
      `${clfHead(v)} "${esc(dash(v.referrer))}" "${esc(dash(v.userAgent))}" ${v.bytes % 977} "r@docker" "http://10.0.0.1:80" ${v.ms}ms`,
    (hit, v) =>
      same(hit, { ...common(v), referrer: v.referrer, userAgent: v.userAgent, requestTimeMs: v.ms }),
  ],
  [
    'alb',
    values({ target: host.map((h) => `https://${h}:443/x`), utcOnly: true }),
    (v) =>
      `https ${iso(v.epochMs + v.ms)} app/lb/1 ${v.ip.includes(':') ? `[${v.ip}]` : v.ip}:443 10.0.0.1:80 0.000 ${(v.ms / 1000).toFixed(3)} 0.000 ${v.status} - 1 ${v.bytes} "${esc(`${v.method} ${v.target} ${v.httpVersion}`)}" "${esc(dash(v.userAgent))}" - - - "-" "-" "-" - ${iso(v.epochMs)} "-" "-" "-" "-" "-" "-" "-"`,
    (hit, v) =>
      same(hit, {
        ...common(v, false),
        userAgent: v.userAgent,
        requestTimeMs: v.ms,
        time: { epochMs: v.epochMs + v.ms, offsetMinutes: 0 },
      }),
  ],
  [
    'squid',
    values({ target: host.map((h) => `http://${h}/p`), utcOnly: true }),
    (v) =>
      `${(v.epochMs + v.ms) / 1000} ${String(v.ms).padStart(6)} ${v.ip} TCP_MISS/${v.status} ${v.bytes} ${v.method} ${v.target} ${dash(v.user)} HIER_DIRECT/10.0.0.1 text/html`,
    (hit, v) =>
      same(hit, { ...common(v), requestTimeMs: v.ms, time: { epochMs: v.epochMs + v.ms, offsetMinutes: 0 } }),
  ],
  [
    'w3c',
    values({ target: fc.stringMatching(/^\/[A-Za-z0-9/._-]{0,20}$/), text: plainText, utcOnly: true }),
    (v) => {
      const d = new Date(v.epochMs + v.ms);
      const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
      const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(v.ms, 3)}`;
      const ua = v.userAgent === null ? '-' : v.userAgent.replaceAll(' ', '+');
      return `${date} ${time} 10.0.0.4 ${v.method} ${v.target} - 443 ${dash(v.user)} ${v.ip} ${ua} ${dash(v.referrer?.replaceAll(' ', '%20') ?? null)} ${v.status} 0 0 ${v.ms}`;
    },
    (hit, v) =>
      same(hit, {
        ...common(v),
        bytes: 0,
        userAgent: v.userAgent,
        referrer: v.referrer?.replaceAll(' ', '%20') ?? null,
        requestTimeMs: v.ms,
        time: { epochMs: v.epochMs + v.ms, offsetMinutes: 0 },
      }),
  ],
  [
    'caddy',
    // Epoch seconds as a JSON number hold milliseconds exactly only up to a few centuries from now.
    values({ text: fc.string({ minLength: 1 }).filter((s) => s !== '-'), utcOnly: true, maxYear: 2500 }),
    (v) =>
      JSON.stringify({
        level: 'info',
        ts: (v.epochMs + v.ms) / 1000,
        logger: 'http.log.access',
        msg: 'handled request',
        request: {
          remote_ip: v.ip,
          proto: v.httpVersion,
          method: v.method,
          host: v.vhost,
          uri: v.target,
          headers: {
            ...(v.userAgent === null ? {} : { 'User-Agent': [v.userAgent] }),
            ...(v.referrer === null ? {} : { Referer: [v.referrer] }),
          },
        },
        user_id: v.user ?? '',
        duration: v.ms / 1000,
        size: v.bytes,
        status: v.status,
      }),
    (hit, v) =>
      same(hit, {
        ...common(v),
        vhost: v.vhost,
        userAgent: v.userAgent,
        referrer: v.referrer,
        requestTimeMs: v.ms,
        time: { epochMs: v.epochMs + v.ms, offsetMinutes: 0 },
      }),
  ],
  [
    'nginx-json',
    values({ text: fc.string({ minLength: 1 }).filter((s) => s !== '-') }),
    (v) =>
      JSON.stringify({
        time_local: clf(v),
        remote_addr: v.ip,
        remote_user: dash(v.user),
        request: `${v.method} ${v.target} ${v.httpVersion}`,
        status: String(v.status),
        body_bytes_sent: v.bytes,
        request_time: (v.ms / 1000).toFixed(3),
        http_referer: v.referrer ?? '',
        http_user_agent: v.userAgent ?? '',
        http_host: v.vhost,
      }),
    (hit, v) =>
      same(hit, {
        ...common(v),
        vhost: v.vhost,
        userAgent: v.userAgent,
        referrer: v.referrer,
        requestTimeMs: v.ms,
        time: { epochMs: v.epochMs + v.ms, offsetMinutes: v.offsetMinutes },
      }),
  ],
];

void describe('round trip of every format: render a line, parse it back', () => {
  for (const [format, arb, render, check] of CASES) {
    void it(`${format}: the fields come back, and auto-detection picks ${format}`, () => {
      fc.assert(
        fc.property(arb, (v) => {
          const line = render(v);
          const named = parseLine(line, format, createDetectMemo());
          assert.ok(named.ok, `${line}\n→ ${named.ok ? '' : named.reason}`);
          check(named.hit, v);
          const auto = parseLine(line, 'auto', createDetectMemo());
          assert.ok(auto.ok && auto.hit.format === format, `auto: ${line}`);
        }),
        RUNS,
      );
    });
  }
});

const compiled = (result: CompileResult): CustomFormat => {
  if (!result.ok) assert.fail(result.reason);
  return result.format;
};

void describe('round trip of custom formats', () => {
  void it('nginx: a line written with a log_format parses back with it', () => {
    const format = compiled(
      compileNginxFormat(
        '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $host rt=$request_time tag=$my_tag',
      ),
    );
    fc.assert(
      fc.property(values(), token, (v, tag) => {
        const line = `${clfHead(v)} "${esc(dash(v.referrer))}" "${esc(dash(v.userAgent))}" ${v.vhost} rt=${(v.ms / 1000).toFixed(3)} tag=${tag}`;
        const result = format.parse(line);
        assert.ok(result.ok, `${line}\n→ ${result.ok ? '' : result.reason}`);
        same(result.hit, {
          ...common(v),
          format: 'custom',
          referrer: v.referrer,
          userAgent: v.userAgent,
          vhost: v.vhost,
          requestTimeMs: v.ms,
          extra: { my_tag: tag },
        });
      }),
      RUNS,
    );
  });

  void it('apache: a line written with a LogFormat parses back with it', () => {
    const format = compiled(
      compileApacheFormat('%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %{ms}T %{X-Tag}i'),
    );
    fc.assert(
      fc.property(values(), token, (v, tag) => {
        const line = `${clfHead(v)} "${esc(dash(v.referrer))}" "${esc(dash(v.userAgent))}" ${v.ms} ${tag}`;
        const result = format.parse(line);
        assert.ok(result.ok, `${line}\n→ ${result.ok ? '' : result.reason}`);
        same(result.hit, {
          ...common(v),
          referrer: v.referrer,
          userAgent: v.userAgent,
          requestTimeMs: v.ms,
          extra: { '%{X-Tag}i': tag },
        });
      }),
      RUNS,
    );
  });
});

void describe('no parser throws, on anything', () => {
  void it('arbitrary strings and mutated valid lines, through every format', () => {
    const valid = fc.oneof(...CASES.map(([, arb, render]) => arb.map(render)));
    const mutated = fc
      .tuple(valid, fc.nat(), fc.nat(20), fc.string({ maxLength: 3 }))
      .map(([line, at, cut, insert]) => {
        const i = at % (line.length + 1);
        return line.slice(0, i) + insert + line.slice(i + cut);
      });
    const formats = ['auto', ...CASES.map(([f]) => f)] as const;
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated), (line) => {
        for (const format of formats) {
          const result = parseLine(line, format, createDetectMemo());
          assert.equal(typeof result.ok, 'boolean');
        }
      }),
      { numRuns: 1500 },
    );
  });
});
