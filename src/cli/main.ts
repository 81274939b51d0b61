/**
 * Entry point: runs the command line and turns every failure into one line on stderr and an exit
 * code a script can use (see EXIT_CODES). Stack traces only at LOG_LEVEL=debug.
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { debugRequested } from '../config/index.js';
import { EXIT_CODES, LograbbitError, messageOf } from '../errors.js';
import { terminalSafe } from '../telemetry/index.js';
import { buildProgram } from './program.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram(packageJson.version);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with exitCode 0; everything else commander rejects is a usage error.
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    // Messages quote paths and server answers: escaped, they stay one line and cannot drive the terminal.
    if (error instanceof LograbbitError) {
      process.stderr.write(`lograbbit: ${terminalSafe(error.message)}\n`);
      return error.exitCode;
    }
    process.stderr.write(`lograbbit: ${terminalSafe(messageOf(error))}\n`);
    if (debugRequested() && error instanceof Error) {
      process.stderr.write(`${(error.stack ?? '').split('\n').map(terminalSafe).join('\n')}\n`);
    } else {
      process.stderr.write('lograbbit: (run with --log-level debug for the details)\n');
    }
    return EXIT_CODES.failure;
  }
}

// A reader that goes away (`lograbbit simulate | head`) ends the output, as it ends `yes | head`: the
// command stops quietly instead of dying on an unhandled EPIPE with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT_CODES.ok);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
