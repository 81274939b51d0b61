/**
 * Request and upstream times as servers write them, read into milliseconds.
 *
 * nginx writes seconds with milliseconds (`0.002`), and several values when several upstreams were
 * tried (`0.002, 0.004`) or the request was redirected internally (`0.002 : 0.004`): they add up.
 * `-` entries (no upstream reached) are skipped; nothing readable at all is null.
 */

// Sums are rounded to a microsecond so that 0.002 + 0.004 stores 6, not 6.000000000000001.
function roundMicros(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The sum of the numbers in `text` (separated by `,` or `:`), times `scale`; null when there is none. */
export function sumOfTimes(text: string | null, scale: number): number | null {
  if (text === null) return null;
  let total = 0;
  let found = false;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 44 : text.charCodeAt(i);
    if (c !== 44 && c !== 58) continue;
    const piece = text.slice(start, i).trim();
    start = i + 1;
    if (piece === '' || piece === '-') continue;
    if (!/^\d+(\.\d+)?$/.test(piece)) return null;
    total += Number(piece) * scale;
    found = true;
  }
  return found && Number.isFinite(total) ? roundMicros(total) : null;
}

/** Seconds (`0.123`, `0.002, 0.004`) → milliseconds. */
export function secondsToMs(text: string | null): number | null {
  return sumOfTimes(text, 1000);
}

/** Milliseconds as written (`123`, `12.5`). */
export function millisToMs(text: string | null): number | null {
  return sumOfTimes(text, 1);
}

/** Microseconds (Apache's `%D`) → milliseconds. */
export function microsToMs(text: string | null): number | null {
  return sumOfTimes(text, 0.001);
}
