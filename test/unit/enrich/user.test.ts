import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailDomain, isEmail } from '../../../src/enrich/index.js';

void describe('isEmail and emailDomain', () => {
  const table: [string | null, string | null][] = [
    ['jane.doe@example.org', 'example.org'],
    ['m.rossi@Example.IT', 'example.it'],
    ['a+tag@mail.sub.example.co.uk', 'mail.sub.example.co.uk'],
    ["o'brien@example.ie", 'example.ie'],
    ['josé@exämple.de', 'exämple.de'],
    ['jane.doe', null],
    ['jane@localhost', null],
    ['@example.org', null],
    ['jane@', null],
    ['a@b@example.org', null],
    ['jane doe@example.org', null],
    ['jane@example..org', null],
    ['jane@-example.org', null],
    ['jane@example.org-', null],
    ['DOMAIN\\user', null],
    ['', null],
    [null, null],
  ];
  for (const [user, domain] of table) {
    void it(`${JSON.stringify(user)} → ${domain}`, () => {
      assert.equal(emailDomain(user), domain);
      assert.equal(isEmail(user), domain !== null);
    });
  }
});
