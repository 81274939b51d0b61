/**
 * Writing a request as a line of each format the simulator speaks, exactly as the parsers in
 * src/formats read them (see proxy.ts, common.ts, combined.ts there).
 */
import type { Request } from './visitors.js';

/** The formats the simulator writes. */
export const SIMULATED_FORMATS = ['proxy', 'common', 'combined'] as const;
export type SimulatedFormat = (typeof SIMULATED_FORMATS)[number];

/**
 * `<ip> <session|-> <user|-> [<time>] "<METHOD> <absolute url> <version>" <status> <bytes> -`:
 * the `proxy` format of an authenticating proxy, with the scheme, host and port in every URL.
 */
export function proxyLine(r: Request, time: string): string {
  return (
    `${r.ip} ${r.session ?? '-'} ${r.user ?? '-'} [${time}] ` +
    `"${r.method} ${r.scheme}://${r.host}:${r.port}${r.target} ${r.httpVersion}" ${r.status} ${r.bytes} -`
  );
}

/** `%h %l %u %t "%r" %>s %b`; an empty body is written `-` when `dashForEmpty` (Apache's %b). */
export function commonLine(r: Request, time: string, dashForEmpty: boolean): string {
  const bytes = r.bytes === 0 && dashForEmpty ? '-' : String(r.bytes);
  return `${r.ip} - ${r.user ?? '-'} [${time}] "${r.method} ${r.target} ${r.httpVersion}" ${r.status} ${bytes}`;
}

/** Common plus `"%{Referer}i" "%{User-agent}i"`. */
export function combinedLine(r: Request, time: string, dashForEmpty: boolean): string {
  return `${commonLine(r, time, dashForEmpty)} "${r.referrer ?? '-'}" "${r.userAgent ?? '-'}"`;
}
