/**
 * `traefik`: Traefik's Common Log Format, which is combined plus
 * ` <requests since start> "<router>" "<service URL>" <duration>ms`. Auto-detection tries it before
 * `combined`, which would otherwise take these lines and keep the tail as opaque trailing text.
 */
import { clfHit, createClfFields, scanClf } from './clf-fields.js';
import { dashOrText, scanCombinedTail } from './combined.js';
import { closingQuote, isBlankFrom, unquote } from './quoted.js';
import { quote, reject, type FormatResult } from './reject.js';

const fields = createClfFields();

function digitsEnd(line: string, start: number): number {
  let p = start;
  while (p < line.length && line.charCodeAt(p) >= 48 && line.charCodeAt(p) <= 57) p++;
  return p;
}

/** Parses one Traefik CLF line. Never throws. */
export function parseTraefik(line: string): FormatResult {
  // A line that fails in the part Traefik shares with combined is reported as combined's failure:
  // one position short of it, so that auto-detection names the more common format.
  const scan = scanClf(line, 'traefik', fields);
  if (!scan.ok) return { ...scan, at: scan.at - 1 };
  const tail = scanCombinedTail(line, 'traefik', fields);
  if (!tail.ok) return { ...tail, at: tail.at - 1 };
  // A line cut before Traefik's own fields is left to combined, which reads what is there.
  if (tail.damage !== null)
    return reject('traefik', tail.uaEnd - 1, 'bad_request', 'the line ends before the request count');
  const countStart = tail.uaEnd + 2;
  const countEnd = digitsEnd(line, countStart);
  if (line.charCodeAt(tail.uaEnd + 1) !== 32 || countEnd === countStart || line.charCodeAt(countEnd) !== 32) {
    return reject(
      'traefik',
      tail.uaEnd + 1,
      'bad_request',
      `expected " <request count>" after the user agent, got ${quote(line, tail.uaEnd + 1)}`,
    );
  }
  const routerStart = countEnd + 2;
  const routerEnd = line.charCodeAt(countEnd + 1) === 34 ? closingQuote(line, routerStart) : -1;
  if (routerEnd === -1)
    return reject('traefik', countEnd + 1, 'bad_request', 'expected "<router name>" after the request count');
  const urlStart = routerEnd + 3;
  const urlEnd =
    line.charCodeAt(routerEnd + 1) === 32 && line.charCodeAt(routerEnd + 2) === 34
      ? closingQuote(line, urlStart)
      : -1;
  if (urlEnd === -1)
    return reject('traefik', routerEnd + 1, 'bad_request', 'expected "<service URL>" after the router name');
  const msStart = urlEnd + 2;
  const msEnd = digitsEnd(line, msStart);
  if (
    line.charCodeAt(urlEnd + 1) !== 32 ||
    msEnd === msStart ||
    line.charCodeAt(msEnd) !== 109 ||
    line.charCodeAt(msEnd + 1) !== 115 ||
    !isBlankFrom(line, msEnd + 2)
  ) {
    return reject(
      'traefik',
      urlEnd + 1,
      'bad_layout',
      `expected " <duration>ms" at the end, got ${quote(line, urlEnd + 1)}`,
    );
  }
  const extra: Record<string, string> = { request_count: line.slice(countStart, countEnd) };
  const router = dashOrText(unquote(line, routerStart, routerEnd));
  const service = dashOrText(unquote(line, urlStart, urlEnd));
  if (router !== null) extra.router = router;
  if (service !== null) extra.service_url = service;
  const more = { requestTimeMs: Number(line.slice(msStart, msEnd)), extra };
  return { ok: true, hit: clfHit('traefik', fields, false, tail.referrer, tail.userAgent, null, more) };
}
