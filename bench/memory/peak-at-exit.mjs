/**
 * Loaded into the consumer by `bench/catch-up-memory.ts` (with `--import`): at exit, writes the
 * process's peak RSS (VmHWM, in bytes) to the file named by PEAK_AT_EXIT_FILE. Read by the process
 * itself, so the peak of its last moments is not missed by a poll from outside.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';

const file = process.env.PEAK_AT_EXIT_FILE;
if (file) {
  process.on('exit', () => {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kB = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
    writeFileSync(file, String(kB * 1024));
  });
}
