/** `lograbbit dead list|replay`: what is in data-dead and why, and sending it back once fixed. */
import type { Command } from 'commander';
import { DEAD_QUEUE, listDeadLetters, replayDeadLetters } from '../broker/index.js';
import { UsageError } from '../errors.js';
import { terminalSafe } from '../telemetry/index.js';
import { createContext, openBroker } from './context.js';
import type { GlobalOptions } from './context.js';

interface DeadOptions {
  readonly limit: string;
  readonly json?: boolean;
}

export function registerDeadCommand(program: Command, globals: () => GlobalOptions): void {
  const dead = program
    .command('dead')
    .description(`inspect and replay the messages in ${DEAD_QUEUE} (ones that could not be stored)`);
  dead
    .command('list')
    .description(`show the messages in ${DEAD_QUEUE} with the reason of each (the queue is left as it is)`)
    .option('--limit <n>', 'show at most this many', '100')
    .option('--json', 'one JSON object per message on stdout')
    .action((options: DeadOptions) => list(globals(), options));
  dead
    .command('replay')
    .description(
      `send the messages of ${DEAD_QUEUE} back to the queue each came from, once the cause is fixed`,
    )
    .option('--limit <n>', 'replay at most this many', '1000000')
    .option('--json', 'print the result as JSON')
    .action((options: DeadOptions) => replay(globals(), options));
}

function limitOf(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new UsageError('LR_USAGE', `--limit: expected a whole number of at least 1 (got "${value}")`);
  }
  return limit;
}

async function list(globals: GlobalOptions, options: DeadOptions): Promise<void> {
  const limit = limitOf(options.limit);
  const context = createContext(globals);
  const broker = await openBroker(context, 'dead list');
  try {
    const letters = await listDeadLetters(broker, limit);
    if (options.json) {
      // JSON escapes C0 controls but not C1 or bidi ones; escaping those too keeps it the same JSON.
      for (const letter of letters) process.stdout.write(`${terminalSafe(JSON.stringify(letter))}\n`);
      return;
    }
    if (letters.length === 0) {
      process.stdout.write(`${DEAD_QUEUE} is empty\n`);
      return;
    }
    // The reason header and the source come from the message: whoever published it chose them.
    for (const letter of letters) {
      const what =
        letter.lines === null
          ? `${letter.bytes} bytes`
          : `${letter.lines} lines of ${terminalSafe(letter.source ?? '?')}`;
      process.stdout.write(`${letter.queue ?? '?'}  ${what}  ${terminalSafe(letter.reason)}\n`);
    }
    process.stdout.write(
      `${letters.length} message(s); \`lograbbit dead replay\` sends them back once fixed\n`,
    );
  } finally {
    await broker.close();
  }
}

async function replay(globals: GlobalOptions, options: DeadOptions): Promise<void> {
  const limit = limitOf(options.limit);
  const context = createContext(globals);
  const broker = await openBroker(context, 'dead replay');
  try {
    const result = await replayDeadLetters(broker, limit);
    if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      process.stdout.write(
        `replayed ${result.replayed} message(s)` +
          (result.kept > 0 ? `; ${result.kept} left in ${DEAD_QUEUE} (origin queue unknown)` : '') +
          '\n',
      );
    }
  } finally {
    await broker.close();
  }
}
