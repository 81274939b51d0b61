/**
 * The status of a live run: lines read per second, published (confirmed by RabbitMQ), stored (in
 * raw_log) and the lag between reading and storing. On a terminal it is one line redrawn a few times a
 * second; elsewhere (a service, a pipe) it is a plain log line now and then.
 */
import type { Logger } from '../telemetry/index.js';

export interface StatusSample {
  /** Files followed now (absent for a stream). */
  readonly files?: number;
  readonly read: number;
  readonly published: number;
  /** Lines of this process stored (by any consumer), when it also consumes. */
  readonly stored?: number;
}

export interface StatusLine {
  /** Erases the line (before other output) and stops. */
  stop(): void;
}

export interface StatusLineOptions {
  readonly log: Logger;
  /** False turns it off (`--no-progress`, `--json`). */
  readonly enabled: boolean;
  readonly stream?: NodeJS.WriteStream;
  /** How often a plain log line is written when the stream is not a terminal, in ms. */
  readonly logIntervalMs?: number;
}

const REDRAW_MS = 250;

/** Starts sampling `sample` and showing it; `stop` it before printing anything else. */
export function startStatusLine(sample: () => StatusSample, options: StatusLineOptions): StatusLine {
  if (!options.enabled) return { stop: () => undefined };
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  let previous = { at: Date.now(), read: sample().read };
  let drawn = false;
  const tick = (): void => {
    const now = Date.now();
    const current = sample();
    const rate = ((current.read - previous.read) * 1000) / Math.max(1, now - previous.at);
    previous = { at: now, read: current.read };
    // Both counts are of this process's lines; one read before the other may be newer than it.
    const lag = Math.max(0, current.read - (current.stored ?? current.published));
    if (!tty) {
      options.log.info(
        {
          files: current.files,
          linesPerSecond: Math.round(rate),
          read: current.read,
          published: current.published,
          stored: current.stored,
          lagLines: lag,
        },
        'status',
      );
      return;
    }
    const n = (value: number): string => value.toLocaleString('en-US');
    const parts = [
      ...(current.files === undefined ? [] : [`${current.files} file${current.files === 1 ? '' : 's'}`]),
      `read ${n(current.read)} (${n(Math.round(rate))}/s)`,
      `published ${n(current.published)}`,
      ...(current.stored === undefined ? [] : [`stored ${n(current.stored)}`]),
      `lag ${n(lag)} lines`,
    ];
    stream.write(`\r${parts.join('  ').slice(0, (stream.columns || 100) - 1)}\x1b[K`);
    drawn = true;
  };
  const timer = setInterval(tick, tty ? REDRAW_MS : (options.logIntervalMs ?? 10_000));
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
