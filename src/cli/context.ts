/**
 * What every command needs: the configuration, a logger, a shutdown signal, and the two services,
 * opened with the messages and exit codes the README promises.
 */
import { loadConfig, readEnvironment } from '../config/index.js';
import type { Config, TuningOverrides } from '../config/index.js';
import { createLogger } from '../telemetry/index.js';
import type { Logger } from '../telemetry/index.js';
import { connectBroker, declareTopology } from '../broker/index.js';
import type { BrokerConnection, DeclaredTopology } from '../broker/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { UsageError } from '../errors.js';
import type { FormatName } from '../domain/index.js';
import { FORMAT_PARSERS, compileApacheFormat, compileNginxFormat } from '../formats/index.js';
import type { FormatChoice } from '../formats/index.js';
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

/**
 * Declares the topology, unless `--no-setup` said the operator does: what the publishers and
 * consumers declare again after every reconnect (undefined: they declare nothing).
 */
export async function topologyOf(
  broker: BrokerConnection,
  setup: boolean,
): Promise<DeclaredTopology | undefined> {
  return setup ? declareTopology(broker) : undefined;
}

export async function openDatabase(context: CommandContext, setup: boolean): Promise<Store> {
  const store = await openStore(context.config.db, {
    timeoutMs: context.config.tuning.connectTimeoutMs,
    setup,
    // The writers of the two tables, each with its transactions in flight, and two more for the
    // readers (the dashboard and the idle check of `run`), so that a busy writer never starves them.
    connections: 2 * context.config.tuning.writeConcurrency + 2,
    // With several nodes, the writers move to the next one by themselves: said once each way.
    onNodeChange: (change) =>
      change.state === 'offline'
        ? context.log.warn(
            { node: change.node, error: change.error },
            'database node left out after a failed connection; using the next one',
          )
        : context.log.info({ node: change.node }, 'database node answers again'),
  });
  // Said once, at debug: on MySQL 8 `insert` means local_infile is off (start it with --local-infile=1).
  context.log.debug({ writeMethod: store.writeMethod }, 'database open');
  return store;
}

/**
 * The store `dashboard` and `stats` read: the nodes of DB_READ_HOST when it is set (never set up
 * there: a replica refuses DDL, and the writers' processes set up the database they write), else the
 * writers' database as `openDatabase` opens it.
 */
export async function openReadDatabase(context: CommandContext, setup: boolean): Promise<Store> {
  const reads = context.config.dbRead;
  if (reads === undefined) return openDatabase(context, setup);
  return openStore(reads, {
    timeoutMs: context.config.tuning.connectTimeoutMs,
    setup: false,
    connections: 4,
  });
}

/** Names `--format` accepts: `auto`, every format that has a parser, and `custom` (with a format string). */
export const FORMAT_CHOICES: readonly string[] = ['auto', ...Object.keys(FORMAT_PARSERS), 'custom'];

/** The custom-format options: an nginx `log_format` or an Apache `LogFormat` string. */
export interface CustomFormatValues {
  readonly logFormat?: string;
  readonly apacheFormat?: string;
}

/**
 * `--format`, with `--log-format`/`--apache-format`: a format name, `auto`, or the compiled custom
 * format. A format string that cannot be used is a usage error naming the option.
 */
export function formatOption(value: string | undefined, custom: CustomFormatValues = {}): FormatChoice {
  const format = value ?? 'auto';
  if (!FORMAT_CHOICES.includes(format)) {
    throw new UsageError(
      'LR_USAGE',
      `--format: unknown format "${format}"; one of ${FORMAT_CHOICES.join(', ')}`,
    );
  }
  const { logFormat, apacheFormat } = custom;
  if (logFormat !== undefined && apacheFormat !== undefined) {
    throw new UsageError('LR_USAGE', '--log-format and --apache-format: give one of them, not both');
  }
  const option = logFormat !== undefined ? '--log-format' : '--apache-format';
  const spec = logFormat ?? apacheFormat;
  if (spec === undefined) {
    if (format === 'custom')
      throw new UsageError('LR_USAGE', '--format custom needs --log-format or --apache-format');
    return format as FormatName | 'auto';
  }
  if (format !== 'auto' && format !== 'custom') {
    throw new UsageError('LR_USAGE', `${option}: cannot be used with --format ${format}`);
  }
  const compiled = logFormat !== undefined ? compileNginxFormat(spec) : compileApacheFormat(spec);
  if (!compiled.ok) throw new UsageError('LR_USAGE', `${option}: ${compiled.reason}`);
  return compiled.format;
}
