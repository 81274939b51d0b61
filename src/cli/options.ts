/**
 * Options shared by several subcommands, with their help text and defaults (taken from the config
 * schema, so help never disagrees with behaviour), and how they map onto the tuning settings.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
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
  readonly prefetch?: string;
  readonly writeBatchRows?: string;
  readonly flushIntervalMs?: string;
}

export interface CommonOptionValues {
  readonly setup: boolean;
  readonly json?: boolean;
}

export function addProduceOptions(command: Command): Command {
  return command
    .option('--source <name>', 'source name stored with each line (default: the file name; stdin for -)')
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
    .option('--publish-window <n>', 'messages awaiting their confirm at once', String(defaults.publishWindow))
    .option('--no-progress', 'no progress bar (there is none when stderr is not a terminal)');
}

export function addConsumeOptions(command: Command): Command {
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

export function addCommonOptions(command: Command): Command {
  return command
    .option(
      '--no-setup',
      'do not declare the topology nor migrate the database (operators who separate roles)',
    )
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
    flushIntervalMs: options.flushIntervalMs,
  };
}
