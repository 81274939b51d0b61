/**
 * Writing times as access logs do, `dd/Mon/yyyy:HH:MM:SS ±hhmm`, and reading `±hhmm` offsets.
 * Many lines share a second, so the simulator keeps the last text and reuses it.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MAX_OFFSET_MINUTES = 14 * 60;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `±hhmm` for an offset in minutes (`-300` → `-0500`). */
export function formatUtcOffset(offsetMinutes: number): string {
  const abs = Math.abs(offsetMinutes);
  return `${offsetMinutes < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`;
}

/**
 * Minutes of a `±hhmm` offset (`+0530` → 330). Throws a RangeError naming the value when it is not
 * one, or lies beyond ±14:00.
 */
export function parseUtcOffset(text: string): number {
  const match = /^([+-])(\d\d)([0-5]\d)$/.exec(text);
  if (match === null) throw new RangeError(`UTC offset ${JSON.stringify(text)} is not ±hhmm (e.g. -0500)`);
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  if (minutes > MAX_OFFSET_MINUTES) throw new RangeError(`UTC offset ${text} is beyond ±14:00`);
  return match[1] === '-' ? -minutes : minutes;
}

/** The CLF time of the UTC instant `epochMs` as a clock at `offsetMinutes` from UTC shows it. */
export function formatClfTime(epochMs: number, offsetMinutes: number): string {
  const local = new Date(Math.floor(epochMs / 1000) * 1000 + offsetMinutes * 60_000);
  return (
    `${pad2(local.getUTCDate())}/${MONTHS[local.getUTCMonth()]}/${local.getUTCFullYear()}:` +
    `${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())} ` +
    formatUtcOffset(offsetMinutes)
  );
}

/** Formats times at one offset, remembering the last second's text. */
export class ClfClock {
  private second = Number.NaN;
  private text = '';

  constructor(private readonly offsetMinutes: number) {}

  format(epochMs: number): string {
    const second = Math.floor(epochMs / 1000);
    if (second !== this.second) {
      this.second = second;
      this.text = formatClfTime(epochMs, this.offsetMinutes);
    }
    return this.text;
  }
}
