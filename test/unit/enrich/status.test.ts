import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusText } from '../../../src/enrich/index.js';

void describe('statusText', () => {
  const table: [number, string | null][] = [
    [200, 'OK'],
    [201, 'Created'],
    [206, 'Partial Content'],
    [301, 'Moved Permanently'],
    [304, 'Not Modified'],
    [404, 'Not Found'],
    [413, 'Content Too Large'],
    [429, 'Too Many Requests'],
    [500, 'Internal Server Error'],
    [503, 'Service Unavailable'],
    [499, null],
    [999, null],
    [0, null],
  ];
  for (const [status, text] of table) {
    void it(`${status} → ${text}`, () => assert.equal(statusText(status), text));
  }
});
