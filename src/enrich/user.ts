/**
 * What the authenticated user name says: whether it is an e-mail address, and its domain.
 * A deliberately plain check (one `@`, a dotted domain of sane labels), not RFC 5322: user names are
 * logins or addresses, and `jane@localhost` or `"a@b"@c` are not worth the complexity.
 */

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const MAX_LABEL = 63;

function isLocalPartChar(c: number): boolean {
  // Printable ASCII except space and the specials that need quoting, or any non-ASCII (RFC 6531).
  if (c > 127) return true;
  if (c <= 32 || c === 127) return false;
  return '"(),:;<>@[\\]'.indexOf(String.fromCharCode(c)) === -1;
}

function isLabelChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c > 127;
}

// The index of the `@` of an e-mail address, or -1 when `user` is not one.
function atOf(user: string): number {
  const at = user.indexOf('@');
  if (at < 1 || at > MAX_LOCAL || at !== user.lastIndexOf('@')) return -1;
  const domainLength = user.length - at - 1;
  if (domainLength < 3 || domainLength > MAX_DOMAIN) return -1;
  for (let i = 0; i < at; i++) if (!isLocalPartChar(user.charCodeAt(i))) return -1;
  let labels = 0;
  let labelStart = at + 1;
  for (let i = at + 1; i <= user.length; i++) {
    const c = i === user.length ? 46 : user.charCodeAt(i);
    if (c === 46) {
      const len = i - labelStart;
      if (len < 1 || len > MAX_LABEL) return -1;
      if (user.charCodeAt(labelStart) === 45 || user.charCodeAt(i - 1) === 45) return -1;
      labels++;
      labelStart = i + 1;
    } else if (!isLabelChar(c)) {
      return -1;
    }
  }
  return labels >= 2 ? at : -1;
}

/** True when `user` looks like an e-mail address (`jane.doe@example.org`). */
export function isEmail(user: string | null): boolean {
  return user !== null && atOf(user) !== -1;
}

/** The lower-cased domain of an e-mail address (`Example.ORG` → `example.org`), or null. */
export function emailDomain(user: string | null): string | null {
  if (user === null) return null;
  const at = atOf(user);
  return at === -1 ? null : user.slice(at + 1).toLowerCase();
}
