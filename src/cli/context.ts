/**
 * What every command needs: the configuration, a logger, a shutdown signal, and the two services,
 * opened with the messages and exit codes the README promises.
 */
import { loadConfig, readEnvironment } from '../config/index.js';
import type { Config, TuningOverrides } from '../config/index.js';
import { createLogger } from '../telemetry/index.js';
import type { Logger } from '../telemetry/index.js';
import { connectBroker } from '../broker/index.js';
import type { BrokerConnection } from '../broker/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { UsageError } from '../errors.js';
import type { FormatName } from '../domain/index.js';
import { FORMAT_PARSERS } from '../formats/index.js';
import { listenForShutdown } from './shutdown.js';

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  readonly envFile?: string;
  readonly logLevel?: string;
}

export interface CommandContext {
  readonly config: Config;
  readonly log: Logger;
  /** Aborted on the first SIGINT or SIGTERM: stop reading, finish what is in hand. */
  readonly signal: AbortSignal;
}

/** Reads and validates the configuration (exit 2 on a bad value), and starts listening for signals. */
export function createContext(globals: GlobalOptions, tuning: TuningOverrides = {}): CommandContext {
  const env = readEnvironment(globals.envFile);
  if (globals.logLevel !== undefined) env.LOG_LEVEL = globals.logLevel;
  const config = loadConfig(env, tuning);
  const log = createLogger(config.logLevel);
  const signal = listenForShutdown(log);
  return { config, log, signal };
}

export function openBroker(context: CommandContext, role: string): Promise<BrokerConnection> {
  return connectBroker(context.config.rabbit, {
    name: `lograbbit ${role}`,
    timeoutMs: context.config.tuning.connectTimeoutMs,
    log: context.log,
  });
}

export function openDatabase(context: CommandContext, setup: boolean): Promise<Store> {
  return openStore(context.config.db, { timeoutMs: context.config.tuning.connectTimeoutMs, setup });
}

/** Names `--format` accepts: `auto` and every format that has a parser. */
export const FORMAT_CHOICES: readonly string[] = ['auto', ...Object.keys(FORMAT_PARSERS)];

/** `--format`: a format name or `auto`. */
export function formatOption(value: string | undefined): FormatName | 'auto' {
  const format = value ?? 'auto';
  if (FORMAT_CHOICES.includes(format)) return format as FormatName | 'auto';
  throw new UsageError(
    'LR_USAGE',
    `--format: unknown format "${format}"; one of ${FORMAT_CHOICES.join(', ')}`,
  );
}
