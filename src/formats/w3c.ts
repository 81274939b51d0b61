/**
 * `w3c`: the W3C Extended Log File Format as IIS writes it (and CloudFront, tab-separated). A
 * `#Fields:` directive names the columns of the lines after it, so this parser has per-source state:
 * the column layout of the last `#Fields:` seen, kept in the `SourceState` the caller passes (one
 * per source). Before any `#Fields:`, IIS's default columns are assumed.
 *
 * Directive lines (`#Software`, `#Version`, `#Date`, `#Fields`, `#Remark`, …) are not requests: they are
 * rejected with a reason that says so (they land in rejected_log), and auto-detection stops there
 * rather than trying other formats. Values are separated by one space (tabs when the line has any);
 * IIS writes the spaces of a user agent as `+`, which are turned back into spaces. Times are UTC.
 * `time-taken` is milliseconds in IIS and seconds (with a dot) in CloudFront.
 */
import type { ParsedHit } from '../domain/index.js';
import { millisToMs, secondsToMs } from './durations.js';
import { parseForwardedFor } from './forwarded.js';
import { parseIsoTime } from './iso-time.js';
import { reject, type FormatResult, type Rejection } from './reject.js';

/** The columns of a W3C log, as read from `#Fields:`, with the index of each known one. */
export interface W3cLayout {
  readonly names: readonly string[];
  readonly date: number;
  readonly time: number;
  readonly status: number;
  readonly method: number;
  readonly stem: number;
  readonly query: number;
  readonly user: number;
  readonly clientIp: number;
  readonly userAgent: number;
  readonly referrer: number;
  readonly host: number;
  readonly bytes: number;
  readonly timeTaken: number;
  readonly version: number;
  readonly forwardedFor: number;
  /** Per column: true when it has a field of its own (the others go to `extra`). */
  readonly known: readonly boolean[];
}

/** Per-source state of the W3C parser: the layout of the last `#Fields:` directive. */
export interface W3cState {
  w3cLayout: W3cLayout | null;
}

/** IIS's default `#Fields:` (IIS 8.5 and later), used until a source says otherwise. */
export const IIS_DEFAULT_FIELDS =
  'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken';

/** The layout of a `#Fields:` value; a reason when it lacks date, time or sc-status. */
export function w3cLayoutOf(
  fields: string,
): { readonly ok: true; readonly layout: W3cLayout } | { readonly ok: false; readonly reason: string } {
  const names = fields.trim().split(/[ \t]+/);
  const lower = names.map((n) => n.toLowerCase());
  const at = (...candidates: string[]): number => {
    for (const c of candidates) {
      const i = lower.indexOf(c);
      if (i !== -1) return i;
    }
    return -1;
  };
  const layout: Omit<W3cLayout, 'known'> = {
    names,
    date: at('date'),
    time: at('time'),
    status: at('sc-status'),
    method: at('cs-method'),
    stem: at('cs-uri-stem', 'cs-uri'),
    query: at('cs-uri-query'),
    user: at('cs-username'),
    clientIp: at('c-ip'),
    userAgent: at('cs(user-agent)'),
    referrer: at('cs(referer)', 'cs(referrer)'),
    host: at('cs-host', 'cs(host)'),
    bytes: at('sc-bytes'),
    timeTaken: at('time-taken'),
    version: at('cs-version', 'cs-protocol-version'),
    forwardedFor: at('x-forwarded-for', 'cs(x-forwarded-for)', 'c-forwarded-for'),
  };
  if (layout.date < 0 || layout.time < 0 || layout.status < 0) {
    return { ok: false, reason: '#Fields has no date, time and sc-status' };
  }
  const own = new Set(Object.values(layout).filter((v): v is number => typeof v === 'number'));
  return { ok: true, layout: { ...layout, known: names.map((_, i) => own.has(i)) } };
}

const DEFAULT_LAYOUT = (w3cLayoutOf(IIS_DEFAULT_FIELDS) as { readonly layout: W3cLayout }).layout;
const DIRECTIVES = [
  '#software:',
  '#version:',
  '#date:',
  '#fields:',
  '#remark:',
  '#start-date:',
  '#end-date:',
];

/** A directive line: recognised as W3C (so `final`), never a request. */
function directive(line: string, state: W3cState | undefined): Rejection | null {
  const colon = line.indexOf(':');
  const name = line.slice(0, colon + 1).toLowerCase();
  if (colon === -1 || !DIRECTIVES.includes(name)) return null;
  if (name === '#fields:') {
    const read = w3cLayoutOf(line.slice(colon + 1));
    if (!read.ok) return { ...reject('w3c', colon + 1, 'directive', read.reason), final: true };
    if (state) state.w3cLayout = read.layout;
    return {
      ...reject(
        'w3c',
        line.length,
        'directive',
        'directive #Fields: sets the columns of the lines after it (not a request)',
      ),
      final: true,
    };
  }
  return {
    ...reject(
      'w3c',
      line.length,
      'directive',
      `directive ${line.slice(0, colon)} (a header line, not a request)`,
    ),
    final: true,
  };
}

const valueOf = (f: readonly string[], i: number): string | null => {
  if (i < 0) return null;
  const v = f[i];
  return v === undefined || v === '-' || v === '' ? null : v;
};

function decodeUserAgent(value: string | null, tabs: boolean): string | null {
  if (value === null) return null;
  if (!tabs) return value.replaceAll('+', ' ');
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Parses one W3C line with the layout in `state` (IIS's default without one). Never throws. */
export function parseW3c(line: string, state?: W3cState): FormatResult {
  if (line.charCodeAt(0) === 35) {
    return directive(line, state) ?? reject('w3c', 0, 'other', 'a "#" line that is no W3C directive');
  }
  // A data line starts with its date (yyyy-mm-dd) in every layout that IIS and CloudFront write.
  if (line.charCodeAt(4) !== 45 || line.charCodeAt(7) !== 45) {
    return reject('w3c', 0, 'bad_time', 'expected a date "yyyy-mm-dd" first');
  }
  const layout = state?.w3cLayout ?? DEFAULT_LAYOUT;
  const tabs = line.indexOf('\t') !== -1;
  const f = line.replace(/[\r ]+$/, '').split(tabs ? '\t' : ' ');
  if (f.length !== layout.names.length) {
    return reject('w3c', 11, 'other', `${f.length} values where #Fields names ${layout.names.length}`);
  }
  const date = f[layout.date] ?? '';
  const timeText = f[layout.time] ?? '';
  const time = parseIsoTime(`${date} ${timeText}`);
  if (typeof time === 'string') return reject('w3c', 11, 'bad_time', time);
  const statusText = f[layout.status] ?? '';
  if (!/^\d{1,3}$/.test(statusText))
    return reject('w3c', 20, 'bad_status', `bad sc-status ${JSON.stringify(statusText.slice(0, 10))}`);
  const bytesText = valueOf(f, layout.bytes);
  if (bytesText !== null && !/^\d{1,16}$/.test(bytesText))
    return reject('w3c', 20, 'bad_size', 'bad sc-bytes');

  const stem = valueOf(f, layout.stem);
  const query = valueOf(f, layout.query);
  const taken = valueOf(f, layout.timeTaken);
  const forwarded = parseForwardedFor(valueOf(f, layout.forwardedFor));
  let extra: Record<string, string> | null = null;
  for (let i = 0; i < f.length; i++) {
    const v = valueOf(f, i);
    if (layout.known[i] !== true && v !== null) (extra ??= {})[layout.names[i] as string] = v;
  }
  let ip = valueOf(f, layout.clientIp);
  if (forwarded.client !== null) {
    if (ip !== null) (extra ??= {}).remote_addr = ip;
    ip = forwarded.client;
  }
  const hit: ParsedHit = {
    format: 'w3c',
    ip,
    forwardedFor: forwarded.chain,
    session: null,
    user: valueOf(f, layout.user),
    time,
    method: valueOf(f, layout.method),
    target: stem === null ? null : query === null ? stem : `${stem}?${query}`,
    httpVersion: valueOf(f, layout.version),
    status: Number(statusText),
    bytes: bytesText === null ? 0 : Number(bytesText),
    referrer: valueOf(f, layout.referrer),
    userAgent: decodeUserAgent(valueOf(f, layout.userAgent), tabs),
    vhost: valueOf(f, layout.host),
    requestTimeMs: taken === null ? null : taken.includes('.') ? secondsToMs(taken) : millisToMs(taken),
    extra,
    damage: null,
  };
  return { ok: true, hit };
}
