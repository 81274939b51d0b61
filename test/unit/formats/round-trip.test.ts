import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { FormatName, ParsedHit } from '../../../src/domain/index.js';
import { FORMAT_PARSERS, parseLine, readLineTime } from '../../../src/formats/index.js';
import { renderCombined, renderCommon, renderProxy, type LineValues } from './render-line.js';
import { utc } from './table.js';

const RUNS = { numRuns: 400 };

// Text that servers put in quoted fields, nasty characters included; never `-` or empty (they read as null).
const quotedText = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom('"', '\\', "'", ' ', ';', '%', '[', ']', '\u0000', 'é', '🤖'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    ),
  })
  .filter((s) => s !== '-' && s !== '');
const pathChar = fc.oneof(
  fc.constantFrom('/', '?', '&', '=', '%', '"', '\\', "'", ';', '#', '[', ']', 'é'),
  fc.constantFrom(...'abcxyzABC0129-._~'),
);
const path = fc.string({ unit: pathChar }).map((s) => `/${s}`);
const token = fc.stringMatching(/^[A-Za-z0-9._@+-]{1,20}$/).filter((s) => s !== '-');

const values = (target: fc.Arbitrary<string>): fc.Arbitrary<LineValues> =>
  fc.record({
    ip: fc.oneof(fc.ipV4(), fc.ipV6()),
    ident: fc.option(fc.stringMatching(/^[A-Za-z0-9]{15}$/)),
    user: fc.option(fc.oneof(token, fc.emailAddress())),
    // Whole seconds, plus milliseconds when the line writes them.
    epochMs: fc.integer({ min: utc(1000, 1, 2) / 1000, max: utc(9999, 12, 30) / 1000 }).map((s) => s * 1000),
    offsetMinutes: fc.integer({ min: -840, max: 840 }),
    withMs: fc.boolean(),
    method: fc.oneof(
      fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND', 'MKCOL'),
      fc.stringMatching(/^[A-Z]{1,12}$/),
    ),
    target,
    httpVersion: fc.constantFrom('HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0', 'HTTP/2', 'HTTP/3'),
    status: fc.integer({ min: 100, max: 999 }),
    bytes: fc.option(fc.oneof(fc.nat(100_000), fc.maxSafeNat())),
    referrer: fc.option(quotedText),
    userAgent: fc.option(quotedText),
  });

const withMillis = (v: LineValues, ms: number): LineValues =>
  v.withMs ? { ...v, epochMs: v.epochMs + ms } : v;
const millis = fc.integer({ min: 0, max: 999 });

function expectedHit(format: FormatName, v: LineValues): ParsedHit {
  const extra = format !== 'proxy' && v.ident !== null ? { ident: v.ident } : null;
  return {
    format,
    ip: v.ip,
    forwardedFor: null,
    session: format === 'proxy' ? v.ident : null,
    user: v.user,
    time: { epochMs: v.epochMs, offsetMinutes: v.offsetMinutes },
    method: v.method,
    target: v.target,
    httpVersion: v.httpVersion,
    status: v.status,
    bytes: v.bytes ?? 0,
    referrer: format === 'combined' ? v.referrer : null,
    userAgent: format === 'combined' ? v.userAgent : null,
    vhost: null,
    requestTimeMs: null,
    extra,
    damage: null,
  };
}

const CASES: [FormatName, (v: LineValues) => string, fc.Arbitrary<string>][] = [
  ['proxy', renderProxy, fc.webUrl({ withQueryParameters: true, validSchemes: ['http', 'https'] })],
  ['common', renderCommon, path],
  ['combined', renderCombined, path],
];

void describe('round trip: render a line, parse it back', () => {
  for (const [format, render, target] of CASES) {
    void it(`${format}: every field comes back, through auto-detection too`, () => {
      fc.assert(
        fc.property(values(target), millis, (generated, ms) => {
          const v = withMillis(generated, ms);
          const line = render(v);
          assert.deepEqual(parseLine(line, format), { ok: true, hit: expectedHit(format, v) });
          const auto = parseLine(line, 'auto');
          assert.ok(auto.ok && auto.hit.format === format);
          assert.equal(readLineTime(line)?.epochMs, v.epochMs);
        }),
        RUNS,
      );
    });

    void it(`${format}: no other format accepts its lines, so the memo cannot pick a wrong one`, () => {
      fc.assert(
        fc.property(values(target), (v) => {
          const line = render(v);
          for (const [other, parse] of Object.entries(FORMAT_PARSERS)) {
            if (other !== format) assert.equal(parse(line).ok, false, `${other} accepted ${line}`);
          }
        }),
        RUNS,
      );
    });
  }
});

void describe('real-world combined lines: cut, or with fields appended', () => {
  const core = (hit: ParsedHit): unknown[] => [
    hit.ip,
    hit.time,
    hit.method,
    hit.target,
    hit.status,
    hit.bytes,
  ];

  void it('a line cut anywhere after its size is read, its damage named unless it is whole', () => {
    fc.assert(
      fc.property(values(path), fc.nat(), (v, at) => {
        const whole = renderCombined(v);
        const from = renderCommon(v).length + 2;
        const cut = from + (at % (whole.length - from + 1));
        const result = parseLine(whole.slice(0, cut), 'auto');
        assert.ok(result.ok && result.hit.format === 'combined', whole.slice(0, cut));
        assert.deepEqual(core(result.hit), core(expectedHit('combined', v)));
        assert.equal(result.hit.damage === null, cut === whole.length);
      }),
      RUNS,
    );
  });

  // Values as nginx writes them in a quoted field: no quote (it writes \x22), no trailing backslash.
  const fieldValue = fc.stringMatching(/^[ !#-[\]-~]{0,20}$/);
  const named = fc.uniqueArray(
    fc.tuple(
      fc.stringMatching(/^[a-z][a-z_]{0,11}$/).filter((n) => n !== 'rt' && n !== 'request_time'),
      fieldValue,
      fc.boolean(),
    ),
    { selector: ([name]) => name, maxLength: 5 },
  );

  void it('named fields appended to combined go to extra, rt= to the request time', () => {
    fc.assert(
      fc.property(values(path), fc.nat(99_999), named, (v, rtMs, fields) => {
        const rt = (rtMs / 1000).toFixed(3);
        const appended = fields.map(([n, value, quoted]) =>
          quoted || value === '' || value.includes(' ') ? `${n}="${value}"` : `${n}=${value}`,
        );
        const line = `${renderCombined(v)} rt=${rt} ${appended.join(' ')}`;
        const expectedExtra: Record<string, string> = {};
        if (v.ident !== null) expectedExtra.ident = v.ident;
        for (const [n, value] of fields) if (value !== '-' && value !== '') expectedExtra[n] = value;
        const extra = Object.keys(expectedExtra).length === 0 ? null : expectedExtra;
        const expected = { ...expectedHit('combined', v), requestTimeMs: rtMs, extra };
        assert.deepEqual(parseLine(line, 'auto'), { ok: true, hit: expected });
      }),
      RUNS,
    );
  });
});

void describe('parseLine never throws', () => {
  const check = (line: string): void => {
    for (const format of ['auto', 'proxy', 'common', 'combined'] as const) {
      const result = parseLine(line, format);
      assert.equal(typeof result.ok, 'boolean');
      if (!result.ok) assert.equal(typeof result.reason, 'string');
    }
    readLineTime(line);
  };

  void it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string(), check), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: 'binary' }), check), { numRuns: 2000 });
  });

  void it('on valid lines with a piece cut, replaced or inserted anywhere', () => {
    const validLine = fc.oneof(...CASES.map(([, render, target]) => values(target).map(render)));
    const mutated = fc
      .tuple(validLine, fc.nat(), fc.nat(20), fc.string({ maxLength: 3 }))
      .map(([line, at, cut, insert]) => {
        const i = at % (line.length + 1);
        return line.slice(0, i) + insert + line.slice(i + cut);
      });
    fc.assert(fc.property(mutated, check), { numRuns: 2000 });
  });
});
