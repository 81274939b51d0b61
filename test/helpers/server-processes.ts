/**
 * Servers a test starts for itself (a RabbitMQ or a Galera cluster): each in a process group of its
 * own, killed with SIGKILL to the whole group, waited for by port, explained by its log's last lines.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
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

/** The file in a cluster's directory that names the test process that started it. */
const OWNER_FILE = 'owner.pid';

/**
 * A new directory for a test's servers, named `prefix` and a random suffix, that records which
 * process owns it. First it removes what a test killed before its teardown left behind (CI's
 * timeout, a Ctrl-C): the servers are started detached, so they outlive the test, and a cluster
 * left running takes cores and memory from every later test on the machine.
 */
export async function ownedServerDir(prefix: string): Promise<string> {
  await reapOrphans(prefix);
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(join(dir, OWNER_FILE), String(process.pid));
  return dir;
}

/** Kills the servers of every `prefix` directory whose owner is gone, and removes the directory. */
async function reapOrphans(prefix: string): Promise<void> {
  const dirs = (await readdir(tmpdir()))
    .filter((name) => name.startsWith(prefix))
    .map((name) => join(tmpdir(), name));
  for (const dir of dirs) {
    const owner = Number(await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => ''));
    // No owner file: not one of ours, or still being made. A live owner: a test running now.
    if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) continue;
    for (const pid of await processesNaming(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    await rm(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The processes whose command line names `dir` (a server's config, data or home in it). */
async function processesNaming(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const command = await readFile(join('/proc', entry, 'cmdline'), 'utf8').catch(() => '');
    if (command.includes(dir)) found.push(pid);
  }
  return found;
}

/** kill -9 of every server of a test, then removal of its directory once they are gone. */
export async function killAllAndRemove(children: readonly ChildProcess[], dir: string): Promise<void> {
  for (const child of children) killGroup(child);
  await Promise.all(children.map((child) => exited(child)));
  // A node's last writes (an Erlang VM is not gone with its launcher) can land while rm runs.
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
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
