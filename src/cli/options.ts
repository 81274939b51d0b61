/**
 * Options shared by several subcommands, with their help text and defaults (taken from the config
 * schema, so help never disagrees with behaviour), and how they map onto the tuning settings.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { sourceNameProblem } from '../domain/index.js';
import { UsageError } from '../errors.js';
import { tuningSchema } from '../config/index.js';
import type { TuningOverrides } from '../config/index.js';
import { FORMAT_CHOICES } from './context.js';

const defaults = tuningSchema.parse({});

export interface ProduceOptionValues {
  readonly source?: string;
  readonly batchLines?: string;
  readonly batchBytes?: string;
  readonly maxLineBytes?: string;
  readonly publishWindow?: string;
  readonly progress: boolean;
}

export interface ConsumeOptionValues {
  readonly format?: string;
  readonly logFormat?: string;
  readonly apacheFormat?: string;
  readonly host?: string;
  /** False with --no-geo. */
  readonly geo?: boolean;
  /** False with --no-user-agent. */
  readonly userAgent?: boolean;
  readonly prefetch?: string;
  readonly writeBatchRows?: string;
  readonly writeConcurrency?: string;
  readonly flushIntervalMs?: string;
}

export interface CommonOptionValues {
  readonly setup: boolean;
  readonly json?: boolean;
}

export function addProduceOptions(command: Command): Command {
  return command
    .option(
      '--source <name>',
      'source name stored with each line (default: the file name; stdin for -)',
      sourceNameOption,
    )
    .option(
      '--batch-lines <n>',
      'lines per broker message; 1 = one message per line',
      String(defaults.batchLines),
    )
    .option('--batch-bytes <n>', 'bytes per broker message, at most', String(defaults.batchBytes))
    .option(
      '--max-line-bytes <n>',
      'longer lines are cut there and flagged, never dropped',
      String(defaults.maxLineBytes),
    )
    .option(
      '--publish-window <n>',
      'messages awaiting their confirm at once (and 8 MiB of them at most)',
      String(defaults.publishWindow),
    )
    .option('--no-progress', 'no progress bar (there is none when stderr is not a terminal)');
}

export function addConsumeOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--format <name>', 'log format of the lines').choices(FORMAT_CHOICES).default('auto'),
    )
    .option('--log-format <string>', "the lines' nginx log_format string (format custom)")
    .option('--apache-format <string>', "the lines' Apache LogFormat string (format custom)")
    .option('--host <host[:port]>', 'host of path-only requests when the line names no virtual host')
    .option(
      '--no-geo',
      'no country and city (GEOIP_DB names a database; default: the shipped DB-IP City Lite)',
    )
    .option('--no-user-agent', 'no browser, OS, device and bot flag from the user agent')
    .option(
      '--prefetch <n>',
      'unacknowledged messages held at once, per queue (fewer when large: about 32 MiB)',
      String(defaults.prefetch),
    )
    .option(
      '--write-batch-rows <n>',
      'rows per database transaction, at most',
      String(defaults.writeBatchRows),
    )
    .option(
      '--write-concurrency <n>',
      'transactions in flight at once per table',
      String(defaults.writeConcurrency),
    )
    .option(
      '--flush-interval-ms <ms>',
      'how long a partial batch of rows waits',
      String(defaults.flushIntervalMs),
    );
}

/** `--no-setup` and `--json`; `setupHelp` for a command that does less at start than declare and migrate. */
export function addCommonOptions(
  command: Command,
  setupHelp = 'do not declare the topology nor migrate the database (operators who separate roles)',
): Command {
  return command
    .option('--no-setup', setupHelp)
    .option('--json', 'print the final report as one JSON object on stdout');
}

export function produceTuning(options: Partial<ProduceOptionValues>): TuningOverrides {
  return {
    batchLines: options.batchLines,
    batchBytes: options.batchBytes,
    maxLineBytes: options.maxLineBytes,
    publishWindow: options.publishWindow,
  };
}

export function consumeTuning(options: Partial<ConsumeOptionValues>): TuningOverrides {
  return {
    prefetch: options.prefetch,
    writeBatchRows: options.writeBatchRows,
    writeConcurrency: options.writeConcurrency,
    flushIntervalMs: options.flushIntervalMs,
  };
}

export interface FollowOptionValues {
  readonly follow?: boolean;
  readonly from?: string;
  readonly stateDir?: string;
  readonly batchLingerMs?: string;
  readonly pollIntervalMs?: string;
  readonly rotateWaitMs?: string;
}

/** Options of following files (`produce --follow`, `run`); `withSwitch` adds `--follow` itself. */
export function addFollowOptions(command: Command, withSwitch: boolean): Command {
  if (withSwitch) {
    command.option(
      '--follow',
      'follow the files like tail -F (paths or globs such as /var/log/nginx/*.log): new lines, rotation, restarts',
    );
  }
  return command
    .addOption(
      new Option(
        '--from <where>',
        'files found at start-up without a checkpoint: read from the start or only new lines',
      )
        .choices(['start', 'end'])
        .default('start'),
    )
    .option(
      '--state-dir <dir>',
      'where the per-file checkpoints are kept (one directory per producer)',
      defaults.stateDir,
    )
    .option(
      '--batch-linger-ms <ms>',
      'how long new lines wait for their message to fill before it is sent',
      String(defaults.batchLingerMs),
    )
    .option(
      '--poll-interval-ms <ms>',
      'how often files are checked when no file-system event comes',
      String(defaults.pollIntervalMs),
    )
    .option(
      '--rotate-wait-ms <ms>',
      'how long a renamed or deleted file is still read after its last write',
      String(defaults.rotateWaitMs),
    );
}

export function followTuning(options: Partial<FollowOptionValues>): TuningOverrides {
  return {
    stateDir: options.stateDir,
    batchLingerMs: options.batchLingerMs,
    pollIntervalMs: options.pollIntervalMs,
    rotateWaitMs: options.rotateWaitMs,
  };
}

/** `--source`, checked as the codec will check it: a name it cannot send is a bad option, exit 2. */
export function sourceNameOption(value: string): string {
  const problem = sourceNameProblem(value);
  if (problem !== null) throw new InvalidArgumentError(problem);
  return value;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `14d`, `36h`, `2w`, `1w3d` in ms; undefined when `text` is not such a duration of 1 hour or more. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d{1,6}[hdw])+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, count, unit] of text.matchAll(/(\d+)([hdw])/g)) {
    ms += Number(count) * (DURATION_UNITS_MS[unit ?? ''] ?? Number.NaN);
  }
  return ms >= DURATION_UNITS_MS.h! && ms <= 100 * 366 * DURATION_UNITS_MS.d! ? ms : undefined;
}

/** A duration option's value in ms (undefined when not given); a bad one is a usage error naming it. */
export function durationOption(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined) {
    throw new UsageError(
      'LR_USAGE',
      `${option}: expected a duration of at least 1 hour such as 36h, 14d or 2w (got "${value}")`,
    );
  }
  return ms;
}

export interface RetentionOptionValues {
  readonly keep?: string;
  readonly keepRollups?: string;
  readonly pruneIntervalMs?: string;
}

/** How long rollups are kept when `--keep-rollups` is not given. */
export const DEFAULT_KEEP_ROLLUPS = '400d';

/**
 * `--keep` and `--keep-rollups`; `required` for `prune`. `consume` and `run` apply them on their
 * own, every `--prune-interval-ms` (an hour; hidden: tests shorten it).
 */
export function addRetentionOptions(command: Command, required: boolean): Command {
  const keep = 'lines older than this are removed, in whole UTC days (36h, 14d, 2w…)';
  command
    .option('--keep <duration>', required ? keep : `${keep}, hourly (default: keep every line)`)
    .option('--keep-rollups <duration>', 'rollups older than this are removed', DEFAULT_KEEP_ROLLUPS);
  if (!required) {
    command.addOption(
      new Option('--prune-interval-ms <ms>', 'how often --keep is applied').default('3600000').hideHelp(),
    );
  }
  return command;
}
