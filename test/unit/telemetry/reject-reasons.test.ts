import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REJECT_REASON_CLASSES, rejectReasonClassOf } from '../../../src/telemetry/index.js';

describe('rejectReasonClassOf', () => {
  const cases: Array<[string, string]> = [
    ['line longer than the maximum line length; only its first 65536 bytes were kept', 'too_long'],
    ['no format matched; closest was none', 'no_format'],
    ['no format matched; closest was combined: bad status "2x0"', 'bad_status'],
    ['common: bad size "12a"', 'bad_size'],
    ['alb: bad sent_bytes "x"', 'bad_size'],
    ['combined: bad month "Foo" in "10/Foo/2024:10:00:00 +0000"', 'bad_time'],
    ['w3c: directive #Fields: sets the columns of the lines after it', 'directive'],
    ['combined: unterminated request "GET /"', 'unterminated_field'],
    ['vcombined: bad method "G E T"', 'bad_request'],
    ['not JSON (Unexpected token)', 'bad_json'],
    ['no format matched; closest was common: missing ident field after the client address', 'bad_layout'],
    ['format "xyz" has no parser yet', 'no_format'],
    ['something nobody foresaw', 'other'],
  ];
  for (const [reason, expected] of cases) {
    test(`${reason} → ${expected}`, () => assert.equal(rejectReasonClassOf(reason), expected));
  }

  test('every class it returns is in the declared, bounded set', () => {
    for (const [reason] of cases) {
      assert.ok((REJECT_REASON_CLASSES as readonly string[]).includes(rejectReasonClassOf(reason)));
    }
  });
});
