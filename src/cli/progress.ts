/**
 * A progress line on a terminal (`[#####.....] 45%  1.2/2.7 MB  12,345 lines  20,000 lines/s`),
 * redrawn at most ten times a second; nothing at all when stderr is not a terminal.
 */
import { terminalSafe } from '../telemetry/index.js';

export interface ProgressLine {
  update(label: string, done: number, total: number | undefined, lines: number): void;
  /** Erases the line (before a summary or a log line is printed). */
  clear(): void;
}

const WIDTH = 24;

export function createProgressLine(
  enabled: boolean,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressLine {
  if (!enabled || !stream.isTTY) return { update: () => undefined, clear: () => undefined };
  const startedAt = Date.now();
  let lastDrawAt = 0;
  let drawn = false;
  return {
    update(label, done, total, lines) {
      const now = Date.now();
      if (now - lastDrawAt < 100) return;
      lastDrawAt = now;
      const rate = lines / Math.max(0.001, (now - startedAt) / 1000);
      const fraction = total ? Math.min(1, done / total) : undefined;
      const bar =
        fraction === undefined
          ? ''
          : `[${'#'.repeat(Math.round(fraction * WIDTH)).padEnd(WIDTH, '.')}] ${Math.floor(fraction * 100)}%  `;
      const size = total ? `${megabytes(done)}/${megabytes(total)} MB` : `${megabytes(done)} MB`;
      const text = `${bar}${size}  ${lines.toLocaleString('en-US')} lines  ${Math.round(rate).toLocaleString('en-US')} lines/s  ${terminalSafe(label)}`;
      stream.write(`\r${text.slice(0, (stream.columns || 100) - 1)}\x1b[K`);
      drawn = true;
    },
    clear() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

function megabytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
