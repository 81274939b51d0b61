/**
 * The command line: the program, its global options and help, and one line per subcommand (each
 * subcommand lives in its own `*-command.ts`). Built apart from running it, so tests can read the
 * help and parse arguments without starting anything.
 */
import { Command } from 'commander';
import type { GlobalOptions } from './context.js';
import { registerConsumeCommand } from './consume-command.js';
import { registerDashboardCommand } from './dashboard-command.js';
import { registerDeadCommand } from './dead-command.js';
import { registerIngestCommand } from './ingest-command.js';
import { registerProduceCommand } from './produce-command.js';
import { registerPruneCommand } from './prune-command.js';
import { registerRunCommand } from './run-command.js';
import { runDashboard } from './run-dashboard.js';
import { registerSimulateCommand } from './simulate-command.js';
import { registerSetupCommand } from './setup-command.js';
import { registerStatsCommand } from './stats-command.js';

const ENVIRONMENT_HELP = `
Environment (or a .env file; see .env.example):
  RABBIT_HOST (127.0.0.1)  RABBIT_PORT (5672)  RABBIT_USER (guest)  RABBIT_PASSWORD  RABBIT_VHOST (/)
  RABBIT_URL               one amqp:// or amqps:// URL instead of the RABBIT_* variables
  DB_HOST (127.0.0.1)      DB_PORT (3306)      DB_NAME (lograbbit)  DB_USER (root)   DB_PASSWORD
  DATABASE_URL             one mysql:// URL instead of the DB_* variables
  LOG_LEVEL (info)         fatal, error, warn, info, debug, trace or silent

Exit codes: 0 done, 1 failed, 2 bad option, argument or variable, 3 RabbitMQ or the database
unreachable or refusing the login, 4 done but messages went to data-dead (ingest, consume
--until-idle), 130 stopped by a second Ctrl-C.`;

/** The `lograbbit` program, ready for `parseAsync`. */
export function buildProgram(version: string): Command {
  const program = new Command('lograbbit')
    .description('Web-server access logs → RabbitMQ → parsed and enriched → MySQL, in real time.')
    .version(version)
    .option('--env-file <path>', 'read variables from this file (default: .env when present)')
    .option('--log-level <level>', 'override LOG_LEVEL')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', ENVIRONMENT_HELP)
    // Set before the subcommands are added, which copy these settings: parse errors throw (exit 2 in main).
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();

  registerSetupCommand(program, globals);
  registerProduceCommand(program, globals);
  registerConsumeCommand(program, globals);
  registerIngestCommand(program, globals);
  registerRunCommand(program, globals, runDashboard);
  registerSimulateCommand(program, globals);
  registerDeadCommand(program, globals);
  registerStatsCommand(program, globals);
  registerPruneCommand(program, globals);
  registerDashboardCommand(program, globals);
  return program;
}
