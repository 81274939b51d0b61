/** `lograbbit setup`: declares the broker topology, creates the database if missing and migrates it. */
import type { Command } from 'commander';
import {
  CLEAN_QUEUE,
  DEAD_QUEUE,
  EXCHANGE,
  RAW_QUEUE,
  declareTopology,
  growCommands,
  memberShortfalls,
  readClusterView,
} from '../broker/index.js';
import type { ClusterView } from '../broker/index.js';
import { createContext, openBroker, openDatabase } from './context.js';
import type { CommandContext, GlobalOptions } from './context.js';

const QUEUE_NAMES = [RAW_QUEUE, CLEAN_QUEUE, DEAD_QUEUE];
/** How long the management API may take to answer, per request. */
const MANAGEMENT_TIMEOUT_MS = 2000;

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
  const cluster = await checkMembers(context);
  const { rabbit, db } = context.config;
  if (options.json) {
    const report = {
      broker: rabbit.address,
      exchange: EXCHANGE,
      queues: QUEUE_NAMES,
      database: db.address,
      migrated: true,
      ...(cluster ? { runningNodes: cluster.runningNodes, placement: cluster.queues } : {}),
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  process.stdout.write(
    `RabbitMQ ${rabbit.address}: exchange ${EXCHANGE} (topic) → queues ${RAW_QUEUE}, ${CLEAN_QUEUE} (quorum); dead letters → ${DEAD_QUEUE}\n` +
      `database ${db.address}: tables raw_log, clean_log, rejected_log up to date\n`,
  );
}

/**
 * Compares each queue's members with the cluster's running nodes (through the management API) and
 * warns about a queue that has fewer, with the commands that grow it. A queue declared before the
 * other nodes joined keeps the one member it was made with; RabbitMQ does not grow it by itself.
 */
async function checkMembers(context: CommandContext): Promise<ClusterView | undefined> {
  const { rabbit } = context.config;
  const view = await readClusterView(rabbit.management, rabbit.vhost, QUEUE_NAMES, MANAGEMENT_TIMEOUT_MS);
  if ('unreadable' in view) {
    // A lone broker often runs without the management plugin: then nothing to warn about.
    const level = rabbit.nodes.length > 1 ? 'warn' : 'debug';
    context.log[level](
      { reason: view.unreadable },
      'queue members not checked: no management API answered (set RABBIT_MANAGEMENT_URL)',
    );
    return undefined;
  }
  const shortfalls = memberShortfalls(view);
  if (shortfalls.length > 0) {
    context.log.warn(
      {
        queues: shortfalls.map((shortfall) => `${shortfall.queue} (${shortfall.members})`),
        runningNodes: view.runningNodes.length,
        grow: growCommands(shortfalls, rabbit.vhost),
      },
      'queues with fewer members than the cluster has running nodes (declared before the cluster formed?): grow them with the commands in `grow`, run on any node',
    );
  }
  return view;
}
