/**
 * The command line: subcommands, options and their help. Built apart from running it, so tests can
 * read the help and parse arguments without starting anything.
 */
import { Command, Option } from 'commander';
import { tuningSchema } from '../config/index.js';
import { consumeCommand, ingestCommand, produceCommand, setupCommand } from './commands.js';
import type { ConsumeCommandOptions, IngestCommandOptions, ProduceCommandOptions } from './commands.js';
import { FORMAT_CHOICES } from './context.js';
import type { GlobalOptions } from './context.js';

const defaults = tuningSchema.parse({});

const ENVIRONMENT_HELP = `
Environment (or a .env file; see .env.example):
  RABBIT_HOST (127.0.0.1)  RABBIT_PORT (5672)  RABBIT_USER (guest)  RABBIT_PASSWORD  RABBIT_VHOST (/)
  RABBIT_URL               one amqp:// or amqps:// URL instead of the RABBIT_* variables
  DB_HOST (127.0.0.1)      DB_PORT (3306)      DB_NAME (lograbbit)  DB_USER (root)   DB_PASSWORD
  DATABASE_URL             one mysql:// URL instead of the DB_* variables
  LOG_LEVEL (info)         fatal, error, warn, info, debug, trace or silent

Exit codes: 0 done, 1 failed, 2 bad option, argument or variable, 3 RabbitMQ or the database
unreachable or refusing the login, 130 stopped by a second Ctrl-C.`;

function produceOptions(command: Command): Command {
  return command
    .option('--source <name>', 'source name stored with each line (default: the file name; stdin for -)')
    .option(
      '--batch-lines <n>',
      `lines per broker message; 1 = one message per line`,
      String(defaults.batchLines),
    )
    .option('--batch-bytes <n>', 'bytes per broker message, at most', String(defaults.batchBytes))
    .option(
      '--max-line-bytes <n>',
      'longer lines are cut there and flagged, never dropped',
      String(defaults.maxLineBytes),
    )
    .option('--publish-window <n>', 'messages awaiting their confirm at once', String(defaults.publishWindow))
    .option('--no-progress', 'no progress bar (there is none when stderr is not a terminal)');
}

function consumeOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--format <name>', 'log format of the lines').choices(FORMAT_CHOICES).default('auto'),
    )
    .option('--prefetch <n>', 'unacknowledged messages held at once, per queue', String(defaults.prefetch))
    .option(
      '--write-batch-rows <n>',
      'rows per database transaction, at most',
      String(defaults.writeBatchRows),
    )
    .option(
      '--flush-interval-ms <ms>',
      'how long a partial batch of rows waits',
      String(defaults.flushIntervalMs),
    );
}

function common(command: Command): Command {
  return command
    .option(
      '--no-setup',
      'do not declare the topology nor migrate the database (operators who separate roles)',
    )
    .option('--json', 'print the final report as one JSON object on stdout');
}

/** The `lograbbit` program. `run` executes the chosen subcommand's action. */
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

  program
    .command('setup')
    .description('declare the exchange, queues and bindings, create the database if missing and migrate it')
    .option('--json', 'print what was set up as JSON')
    .action((options: { json?: boolean }) => setupCommand(globals(), options));

  common(
    produceOptions(
      program
        .command('produce')
        .description('publish every line of the files (- for standard input) to RabbitMQ, with confirms')
        .argument('<files...>', 'access log files, or - for standard input'),
    ),
  ).action((files: string[], options: ProduceCommandOptions) => produceCommand(files, globals(), options));

  common(
    consumeOptions(
      program
        .command('consume')
        .description('store what arrives on data-lake (raw_log) and data-clean (clean_log, rejected_log)')
        .option('--queues <list>', 'which queues: raw, clean or raw,clean', 'raw,clean')
        .option('--until-idle', 'exit once both queues are drained (default: run until stopped)'),
    ),
  ).action((options: ConsumeCommandOptions) => consumeCommand(globals(), options));

  common(
    consumeOptions(
      produceOptions(
        program
          .command('ingest')
          .description('produce and consume in one process: every line of the files, stored, then a summary')
          .argument('<files...>', 'access log files, or - for standard input'),
      ),
    ),
  ).action((files: string[], options: IngestCommandOptions) => ingestCommand(files, globals(), options));

  return program;
}
