/**
 * Accounts: login names and e-mail addresses of the people who sign in, drawn once per simulator so
 * that the same users come back visit after visit, and the 15-character session ids of the proxy.
 */
import type { Random } from './random.js';

const FIRST = [
  'anna',
  'james',
  'maria',
  'wei',
  'priya',
  'mohamed',
  'sofia',
  'lucas',
  'yuki',
  'olga',
  'kwame',
  'fatima',
  'diego',
  'chloe',
  'arjun',
  'hannah',
  'mateo',
  'aisha',
  'noah',
  'ingrid',
  'jin',
  'leila',
  'tomas',
  'amara',
];
const LAST = [
  'schmidt',
  'garcia',
  'chen',
  'patel',
  'nguyen',
  'kowalski',
  'okafor',
  'rossi',
  'tanaka',
  'dubois',
  'silva',
  'johnson',
  'haddad',
  'novak',
  'kim',
  'andersson',
  'mensah',
  'fernandez',
  'ivanova',
  'murphy',
];
const MAIL_DOMAINS = [
  'gmail.com',
  'gmail.com',
  'gmail.com',
  'outlook.com',
  'outlook.com',
  'yahoo.com',
  'proton.me',
  'icloud.com',
  'web.de',
  'orange.fr',
  'hotmail.co.uk',
  'qq.com',
  'example.org',
];

/** Accounts scripts authenticate as. */
export const SERVICE_ACCOUNTS = ['svc-reporting', 'ci-deploy', 'etl-nightly', 'api-client-42'];

const SESSION_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A proxy session id: 15 letters and digits. */
export function sessionId(rng: Random): string {
  return rng.chars(SESSION_ALPHABET, 15);
}

function account(rng: Random): string {
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const digits = rng.chance(0.3) ? String(rng.between(1, 99)) : '';
  switch (rng.below(6)) {
    case 0:
      return `${first[0]}${last}${digits}`;
    case 1:
      return `${first}.${last}`;
    case 2:
      return `${first}_${last[0]}${digits}`;
    case 3:
      return `${first}.${last}${digits}@${rng.pick(MAIL_DOMAINS)}`;
    case 4:
      return `${first[0]}.${last}@${rng.pick(MAIL_DOMAINS)}`;
    default:
      return `${first}${last}${rng.between(10, 2000)}@${rng.pick(MAIL_DOMAINS)}`;
  }
}

/** `count` accounts, login names and e-mail addresses mixed. */
export function accounts(rng: Random, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(account(rng));
  return out;
}
