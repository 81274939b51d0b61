/** Finding the system tools some tests drive (nginx, ab, Chromium, rabbitmqctl). */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The full path of `name` on PATH (or in the sbin directories nginx lives in), or undefined; a name
 * with a slash is that path, if it can be run.
 */
export function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  const candidates = name.includes('/') ? [name] : dirs.filter(Boolean).map((entry) => join(entry, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}
