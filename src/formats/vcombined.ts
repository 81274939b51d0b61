/**
 * `vcombined`: combined with the virtual host first, Apache's
 * `%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"` (GoAccess's VCOMBINED). The port is
 * optional (`%v %h …` is common too). The vhost (with its port) names the host of path-only targets.
 */
import { createClfFields, scanClf } from './clf-fields.js';
import { combinedHit, scanCombinedTail } from './combined.js';
import { quote, reject, type FormatResult } from './reject.js';

const fields = createClfFields();

// A host name, an IPv4 address or a bracketed IPv6 address, with an optional `:port`.
function isVhost(line: string, end: number): boolean {
  if (end === 0 || end > 260) return false;
  for (let i = 0; i < end; i++) {
    const c = line.charCodeAt(i);
    const ok =
      (c >= 48 && c <= 58) ||
      ((c | 32) >= 97 && (c | 32) <= 122) ||
      c === 45 ||
      c === 46 ||
      c === 95 ||
      c === 91 ||
      c === 93;
    if (!ok) return false;
  }
  return !(end === 1 && line.charCodeAt(0) === 45);
}

/** Parses one vcombined line. Never throws. */
export function parseVcombined(line: string): FormatResult {
  const sp = line.indexOf(' ');
  if (sp <= 0 || !isVhost(line, sp)) {
    return reject(
      'vcombined',
      0,
      'bad_layout',
      `expected "<vhost>[:<port>] " first, got ${quote(line, 0, sp === -1 ? 40 : sp)}`,
    );
  }
  const scan = scanClf(line, 'vcombined', fields, sp + 1);
  if (!scan.ok) return scan;
  const tail = scanCombinedTail(line, 'vcombined', fields);
  if (!tail.ok) return tail;
  return combinedHit(line, 'vcombined', fields, tail, line.slice(0, sp).toLowerCase());
}
