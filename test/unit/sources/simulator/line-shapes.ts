/** Strict regular expressions of the simulator's formats, and a reader of their time, for its tests. */
import { isIP } from 'node:net';

const TIME = String.raw`\[(\d{2})/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/(\d{4}):([01]\d|2[0-3]):([0-5]\d):([0-5]\d) ([+-])(\d{2})([0-5]\d)\]`;
const METHOD = '(GET|POST|HEAD|OPTIONS|PUT|DELETE|PATCH)';
const VERSION = String.raw`HTTP/(?:1\.0|1\.1|2\.0)`;
const PATH = String.raw`(/[^\s"]*)`;
const USER = String.raw`([A-Za-z0-9._+-]+(?:@[a-z0-9-]+(?:\.[a-z0-9-]+)+)?|-)`;

export const PROXY = new RegExp(
  String.raw`^(\S+) ([A-Za-z0-9]{15}|-) ${USER} ${TIME} "${METHOD} (https?)://([a-z0-9-]+(?:\.[a-z0-9-]+)+):(443|80)${PATH} ${VERSION}" ([1-5]\d\d) (\d+) -$`,
);
export const COMMON = new RegExp(
  String.raw`^(\S+) - ${USER} ${TIME} "${METHOD} ${PATH} ${VERSION}" ([1-5]\d\d) (\d+|-)$`,
);
export const COMBINED = new RegExp(
  String.raw`^(\S+) - ${USER} ${TIME} "${METHOD} ${PATH} ${VERSION}" ([1-5]\d\d) (\d+|-) "(-|https://[^\s"]+)" "([^"]+)"$`,
);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The fields of a line the tests look at; throws when the line does not have the format's shape. */
export interface Fields {
  ip: string;
  session: string | null;
  user: string | null;
  epochMs: number;
  offset: string;
  method: string;
  status: number;
  bytes: number;
  target: string;
  referrer: string | null;
  userAgent: string | null;
}

export function fieldsOf(format: 'proxy' | 'common' | 'combined', line: string): Fields {
  const re = format === 'proxy' ? PROXY : format === 'common' ? COMMON : COMBINED;
  const m = re.exec(line);
  if (m === null) throw new Error(`not a ${format} line: ${line}`);
  const g = (i: number): string => m[i] ?? '';
  const [day, month, year, hour, minute, second, sign, oh, om] = [3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) =>
    g(format === 'proxy' ? i + 1 : i),
  ) as [string, string, string, string, string, string, string, string, string];
  const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const epochMs =
    Date.UTC(Number(year), MONTHS.indexOf(month), Number(day), Number(hour), Number(minute), Number(second)) -
    offsetMinutes * 60_000;
  const ip = g(1);
  if (isIP(ip) === 0) throw new Error(`not an IP address: ${ip}`);
  if (format === 'proxy') {
    return {
      ip,
      session: g(2) === '-' ? null : g(2),
      user: g(3) === '-' ? null : g(3),
      epochMs,
      offset: `${sign}${oh}${om}`,
      method: g(13),
      target: `${g(14)}://${g(15)}:${g(16)}${g(17)}`,
      status: Number(g(18)),
      bytes: Number(g(19)),
      referrer: null,
      userAgent: null,
    };
  }
  return {
    ip,
    session: null,
    user: g(2) === '-' ? null : g(2),
    epochMs,
    offset: `${sign}${oh}${om}`,
    method: g(12),
    target: g(13),
    status: Number(g(14)),
    bytes: g(15) === '-' ? 0 : Number(g(15)),
    referrer: format === 'combined' && g(16) !== '-' ? g(16) : null,
    userAgent: format === 'combined' && g(17) !== '-' ? g(17) : null,
  };
}
