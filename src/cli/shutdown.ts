/**
 * Signals: the first SIGINT or SIGTERM asks for a graceful stop (stop reading, finish and ack what is
 * in hand, close); a second one exits at once. Nothing is lost either way: a message not yet acked is
 * redelivered to the next consumer.
 */
import type { Logger } from '../telemetry/index.js';
import { EXIT_CODES } from '../errors.js';

export function listenForShutdown(log: Logger): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      log.info({ signal }, 'stopping: finishing the work in hand (signal again to exit at once)');
      controller.abort();
      return;
    }
    log.warn({ signal }, 'exiting at once; unacknowledged messages will be redelivered');
    process.exit(EXIT_CODES.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
