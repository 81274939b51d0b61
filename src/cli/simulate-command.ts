/**
 * `lograbbit simulate`: realistic web traffic (sessions of visitors, their assets, bots, many
 * countries) at `--rate` lines per second for `--duration` or `--count`, deterministic with `--seed`:
 * appended to a file (`--output`, which `produce --follow` can tail), published straight to RabbitMQ
 * (`--to-broker`), or written to standard output.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { SimulatorSource, pacedLines } from '../sources/index.js';
import type { PaceOptions } from '../sources/index.js';
import { UsageError } from '../errors.js';
import { withCleanups } from './cleanups.js';
import { createContext } from './context.js';
import type { GlobalOptions } from './context.js';
import { sourceNameOption } from './options.js';
import { startPipeline } from './start-pipeline.js';
import { durationOption, numberOption, simulatedFormatOf, startTrafficFile } from './demo-traffic.js';

interface SimulateOptions {
  readonly rate?: string;
  readonly duration?: string;
  readonly count?: string;
  readonly format?: string;
  readonly seed?: string;
  readonly start?: string;
  readonly output?: string;
  readonly toBroker?: boolean;
  readonly source?: string;
  readonly setup: boolean;
}

export function registerSimulateCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('simulate')
    .description(
      'generate realistic web traffic: to a file (--output), to RabbitMQ (--to-broker) or to stdout',
    )
    .option('--rate <lines/s>', 'lines per second', '100')
    .option('--duration <time>', 'stop after this long: 30s, 5m, 1h (default: until Ctrl-C)')
    .option('--count <n>', 'stop after this many lines')
    .addOption(
      new Option('--format <name>', 'log format')
        .choices(['proxy', 'common', 'combined'])
        .default('combined'),
    )
    .option('--seed <n>', 'same seed and --start, same lines (default: from the clock)')
    .option('--start <time>', 'time of the first line, ISO 8601 (default: now)')
    .option('--output <path>', 'append to this file (created with its directory)')
    .option('--to-broker', 'publish to RabbitMQ instead, with confirms')
    .option(
      '--source <name>',
      'source name of the lines sent with --to-broker',
      sourceNameOption,
      'simulator',
    )
    .option('--no-setup', 'with --to-broker: do not declare the topology')
    .action((options: SimulateOptions) => simulate(globals(), options));
}

async function simulate(globals: GlobalOptions, options: SimulateOptions): Promise<void> {
  if (options.output !== undefined && options.toBroker) {
    throw new UsageError('LR_USAGE', '--output and --to-broker: give one of them, not both');
  }
  const count = options.count === undefined ? undefined : numberOption('--count', options.count, 0, 1, 1e12);
  if (count !== undefined && !Number.isInteger(count))
    throw new UsageError('LR_USAGE', '--count: expected a whole number');
  const pace = {
    rate: numberOption('--rate', options.rate, 100, 0.001, 1_000_000),
    count,
    durationMs: durationOption(options.duration),
    seed: numberOption('--seed', options.seed, Date.now() % 1_000_000, -1e15, 1e15),
    format: simulatedFormatOf(options.format),
    startMs: startOption(options.start),
  };
  const context = createContext(globals);
  const paced: PaceOptions = { ...pace, signal: context.signal };
  if (options.output !== undefined) {
    context.log.info(
      { output: options.output, rate: pace.rate, seed: pace.seed },
      'writing simulated traffic',
    );
    const traffic = await startTrafficFile(options.output, paced);
    await traffic.done;
    context.log.info({ lines: traffic.written() }, 'simulated traffic written');
    return;
  }
  if (options.toBroker) {
    await withCleanups(context.log, async (resources) => {
      const source = new SimulatorSource({
        ...paced,
        source: options.source ?? 'simulator',
        maxLineBytes: context.config.tuning.maxLineBytes,
      });
      const { publishing } = await startPipeline(context, resources, {
        connection: 'simulator',
        setup: options.setup,
        publish: { sources: [source] },
      });
      const published = await publishing.done;
      context.log.info({ lines: published.confirmed }, 'simulated traffic published, all confirmed');
    });
    return;
  }
  for await (const lines of pacedLines(paced)) {
    if (!process.stdout.write(`${lines.join('\n')}\n`)) {
      await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
  }
}

function startOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new UsageError(
      'LR_USAGE',
      `--start: expected an ISO 8601 time such as 2022-11-01T10:00:00Z (got ${value})`,
    );
  return ms;
}
