/**
 * Servers a test starts for itself (a RabbitMQ or a Galera cluster): each in a process group of its
 * own, killed with SIGKILL to the whole group, waited for by port, explained by its log's last lines.
 */
import type { ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { basename } from 'node:path';
import { sleep } from './processes.js';

/** kill -9 of `child`'s process group (started `detached`), if it still runs. */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Resolves once `child` has exited (at once if it has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
    return Promise.resolve();
  return new Promise((resolve) => child.once('close', () => resolve()));
}

/** kill -9 of every server of a test, then removal of its directory once they are gone. */
export async function killAllAndRemove(children: readonly ChildProcess[], dir: string): Promise<void> {
  for (const child of children) killGroup(child);
  await Promise.all(children.map((child) => exited(child)));
  await rm(dir, { recursive: true, force: true });
}

/** The last lines of each log file, to say why a server did not come up. */
export async function logTails(files: readonly string[], lines = 15): Promise<string> {
  const tails = await Promise.all(
    files.map(async (file) => {
      const text = await readFile(file, 'utf8').catch(() => '');
      return `--- ${basename(file)}\n${text.split('\n').slice(-lines).join('\n')}`;
    }),
  );
  return tails.join('\n');
}

/** Resolves once 127.0.0.1:`port` accepts connections; throws when `child` exits first or at `deadline`. */
export async function waitForPort(port: number, deadline: number, child?: ChildProcess): Promise<void> {
  for (;;) {
    if (child !== undefined && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before port ${port} opened`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open in time`);
    await sleep(250);
  }
}
