/**
 * A tiny writer of proxy, common and combined lines for the round-trip properties: the inverse of the
 * parsers, written the plain way (Date getters, string padding) so it does not share their code.
 */

/** Values of one line; null renders as `-`. */
export interface LineValues {
  readonly ip: string;
  readonly ident: string | null;
  readonly user: string | null;
  readonly epochMs: number;
  readonly offsetMinutes: number;
  readonly withMs: boolean;
  readonly method: string;
  readonly target: string;
  readonly httpVersion: string;
  readonly status: number;
  readonly bytes: number | null;
  readonly referrer: string | null;
  readonly userAgent: string | null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `dd/Mon/yyyy:HH:MM:SS[.mmm] ±hhmm` of `epochMs` seen from `offsetMinutes`. */
export function renderClfTime(epochMs: number, offsetMinutes: number, withMs: boolean): string {
  const local = new Date(epochMs + offsetMinutes * 60_000);
  const abs = Math.abs(offsetMinutes);
  const zone = `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
  const ms = withMs ? `.${pad(local.getUTCMilliseconds(), 3)}` : '';
  return (
    `${pad(local.getUTCDate())}/${MONTHS[local.getUTCMonth()]}/${local.getUTCFullYear()}:` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${ms} ${zone}`
  );
}

function escape(value: string): string {
  return value.replace(/[\\"]/g, (c) => `\\${c}`);
}

function dash(value: string | null): string {
  return value ?? '-';
}

/** The common-format line of `v`. */
export function renderCommon(v: LineValues): string {
  const request = escape(`${v.method} ${v.target} ${v.httpVersion}`);
  const time = renderClfTime(v.epochMs, v.offsetMinutes, v.withMs);
  return `${v.ip} ${dash(v.ident)} ${dash(v.user)} [${time}] "${request}" ${v.status} ${v.bytes ?? '-'}`;
}

/** The combined-format line of `v`. */
export function renderCombined(v: LineValues): string {
  return `${renderCommon(v)} "${escape(dash(v.referrer))}" "${escape(dash(v.userAgent))}"`;
}

/** The proxy-format line of `v` (the ident is the session). */
export function renderProxy(v: LineValues): string {
  return `${renderCommon(v)} -`;
}
