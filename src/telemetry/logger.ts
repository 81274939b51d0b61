/**
 * The process logger: pino, structured, on stderr (stdout is for results: summaries, `--json`).
 * On a terminal the JSON lines are rendered as short readable lines; elsewhere they stay JSON for
 * log collectors. Nothing logs per line above `debug`.
 */
import { pino } from 'pino';
import type { Logger, LevelWithSilent } from 'pino';
import { terminalSafe } from './terminal-text.js';

export type { Logger };

const LEVEL_LABELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const OMITTED_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** A pino logger writing to `stream` (stderr by default), readable when it is a terminal. */
export function createLogger(
  level: LevelWithSilent,
  stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
): Logger {
  const destination = stream.isTTY === true ? humanReadable(stream) : stream;
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/**
 * Renders pino's JSON lines as `12:00:01 INFO  message key=value`; logs are few, so parsing is cheap.
 * Fields carry message- and file-derived text (a source, a message id), so every piece is escaped.
 */
function humanReadable(stream: NodeJS.WritableStream): { write(line: string): void } {
  return {
    write(line: string): void {
      const record = JSON.parse(line) as Record<string, unknown>;
      const time = typeof record.time === 'string' ? record.time.slice(11, 19) : '';
      const label = LEVEL_LABELS[Number(record.level)] ?? String(record.level);
      const fields = Object.entries(record)
        .filter(([key]) => !OMITTED_KEYS.has(key))
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
        .join(' ');
      const message = typeof record.msg === 'string' ? record.msg : '';
      stream.write(`${time} ${label} ${terminalSafe(message)}${fields ? `  ${terminalSafe(fields)}` : ''}\n`);
    },
  };
}
