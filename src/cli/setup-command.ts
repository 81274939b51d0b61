/** `lograbbit setup`: declares the broker topology, creates the database if missing and migrates it. */
import type { Command } from 'commander';
import { CLEAN_QUEUE, DEAD_QUEUE, EXCHANGE, RAW_QUEUE, declareTopology } from '../broker/index.js';
import { createContext, openBroker, openDatabase } from './context.js';
import type { GlobalOptions } from './context.js';

export function registerSetupCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('setup')
    .description('declare the exchange, queues and bindings, create the database if missing and migrate it')
    .option('--json', 'print what was set up as JSON')
    .action((options: { json?: boolean }) => setup(globals(), options));
}

async function setup(globals: GlobalOptions, options: { json?: boolean }): Promise<void> {
  const context = createContext(globals);
  // The broker first: connecting to it changes nothing, while opening the store may create the database.
  const broker = await openBroker(context, 'setup');
  try {
    const store = await openDatabase(context, true);
    await store.close();
    await declareTopology(broker);
  } finally {
    await broker.close();
  }
  const { rabbit, db } = context.config;
  if (options.json) {
    const report = {
      broker: rabbit.address,
      exchange: EXCHANGE,
      queues: [RAW_QUEUE, CLEAN_QUEUE, DEAD_QUEUE],
      database: db.address,
      migrated: true,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  process.stdout.write(
    `RabbitMQ ${rabbit.address}: exchange ${EXCHANGE} (topic) → queues ${RAW_QUEUE}, ${CLEAN_QUEUE} (quorum); dead letters → ${DEAD_QUEUE}\n` +
      `database ${db.address}: tables raw_log, clean_log, rejected_log up to date\n`,
  );
}
