/**
 * Signals: the first SIGINT or SIGTERM asks for a graceful stop (stop reading, finish and ack what is
 * in hand, close); a second one exits at once. Nothing is lost either way: a message not yet acked is
 * redelivered to the next consumer.
 */
import type { Logger } from '../telemetry/index.js';
import { EXIT_CODES } from '../errors.js';

/**
 * A signal this soon after the first is the same request, delivered twice: a terminal's Ctrl-C
 * reaches every process of its group, and a launcher in that group (npm, for `npm start`) forwards
 * it to its child as well. Only a signal after this long is a second request.
 */
export const SAME_REQUEST_MS = 1000;

export function listenForShutdown(log: Logger): AbortSignal {
  const controller = new AbortController();
  let firstAt = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      firstAt = performance.now();
      log.info({ signal }, 'stopping: finishing the work in hand (signal again to exit at once)');
      controller.abort();
      return;
    }
    if (performance.now() - firstAt < SAME_REQUEST_MS) {
      log.debug({ signal }, 'the stop signal again, at once: taken for the same request');
      return;
    }
    log.warn({ signal }, 'exiting at once; unacknowledged messages will be redelivered');
    process.exit(EXIT_CODES.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
