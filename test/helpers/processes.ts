/**
 * Long-running child processes for tests that follow live files: lograbbit itself (with standard input
 * kept open when asked), or a real server such as nginx. Every process started here is killed by
 * `killStarted` (call it in an `after` hook), so a failing test never leaves one behind.
 */
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { CLI_ENTRY } from './cli-entry.js';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface LongRunning {
  readonly pid: number;
  readonly stdin: Writable;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<Exit>;
  kill(signal: NodeJS.Signals): void;
  /** Sends `signal` and waits for the exit; SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

export interface StartOptions {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Keep standard input open (write to `stdin`, end it to close); by default it is closed at once. */
  readonly keepStdinOpen?: boolean;
  /**
   * Start it as the leader of a process group of its own and signal the whole group, as a terminal's
   * Ctrl-C does (for launchers such as npm, whose child gets the signal too).
   */
  readonly processGroup?: boolean;
}

const started = new Set<LongRunning>();

/** Starts `command …args` with a clean environment (PATH and HOME, plus `env`). */
export function startProcess(
  command: string,
  args: readonly string[],
  options: StartOptions = {},
): LongRunning {
  const child = spawn(command, args, {
    cwd: options.cwd ?? tmpdir(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: options.processGroup === true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on('error', () => undefined);
  if (!options.keepStdinOpen) child.stdin.end();
  const exited = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const running: LongRunning = {
    pid: child.pid ?? -1,
    stdin: child.stdin,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: (signal) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (options.processGroup && child.pid !== undefined) process.kill(-child.pid, signal);
      else child.kill(signal);
    },
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      running.kill(signal);
      const timer = setTimeout(() => running.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  started.add(running);
  void exited.finally(() => started.delete(running)).catch(() => undefined);
  return running;
}

/** Starts `lograbbit …args` (from the temporary directory by default). */
export function startLograbbit(args: readonly string[], options: StartOptions = {}): LongRunning {
  return startProcess(process.execPath, [CLI_ENTRY, ...args], options);
}

/** Kills every process these helpers started and that is still running. */
export async function killStarted(): Promise<void> {
  await Promise.all([...started].map((running) => running.stop('SIGKILL', 5000)));
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
