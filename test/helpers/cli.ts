/** Runs the lograbbit command line as a user would: a child process, with its output and exit code. */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CLI_ENTRY } from './cli-entry.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: Record<string, string>;
  readonly input?: string | Buffer;
  readonly timeoutMs?: number;
  readonly cwd?: string;
}

/**
 * Runs `lograbbit …args` with a clean environment (PATH and HOME, plus `env`), from the temporary
 * directory by default: a developer's own variables or .env file never leak into a test.
 */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return runCommand(process.execPath, [CLI_ENTRY, ...args], options);
}

/** Runs any command as `runCli` runs lograbbit: clean environment, output and exit code. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? tmpdir(),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${command} ${args.join(' ')} did not finish within ${options.timeoutMs ?? 120_000} ms\n${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input);
  });
}

export interface RunningCli {
  readonly pid: number;
  /** Output so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<CliResult>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `lograbbit …args` and returns at once, for tests that signal or kill it mid-run. */
export function startCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
    cwd: options.cwd ?? tmpdir(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input);
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    pid: child.pid ?? -1,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: (signal) => child.kill(signal),
  };
}

/**
 * How long past its deadline a check that is still running may take to answer. A check that never
 * answers (a query a server holds forever) must fail its wait, not hang the file until CI's own limit.
 */
const CHECK_GRACE_MS = 15_000;

/**
 * Polls `check` until it returns true, or fails after `timeoutMs` with `what` in the message; also
 * when one check has not answered `CHECK_GRACE_MS` (or `timeoutMs`, if shorter) after the deadline.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const grace = Math.min(CHECK_GRACE_MS, timeoutMs);
  for (;;) {
    // Not src/deadline.ts's settledWithin: its timer is unref'd, so a check that holds no handle would
    // let the test's process end with the wait unsettled instead of failing it.
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<'overdue'>((resolve) => {
      timer = setTimeout(() => resolve('overdue'), Math.max(deadline - Date.now(), 0) + grace);
    });
    const answer = await Promise.race([Promise.resolve().then(check), overdue]).finally(() =>
      clearTimeout(timer),
    );
    if (answer === 'overdue') {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}: its last check had not answered ${grace} ms after that`,
      );
    }
    if (answer) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
