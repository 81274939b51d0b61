/**
 * "Drained": both work queues are empty and nothing is in hand. Used by `consume --until-idle` and by
 * `ingest`, which ends once every line it published is stored.
 */
import { CLEAN_QUEUE, RAW_QUEUE, queueDepth } from '../broker/index.js';
import type { BrokerConnection } from '../broker/index.js';
import type { RunningConsumers } from './consume.js';

export interface IdleOptions {
  /** The queues waited for (default: both work queues). */
  readonly queues?: readonly string[];
  /** How often the queue depths are read, in ms. */
  readonly pollIntervalMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Resolves when the queues this process consumes are empty and it holds no message, twice in a row
 * (a queue reads empty for an instant while a message is in flight between broker and consumer).
 */
export async function waitUntilDrained(
  connection: BrokerConnection,
  consumers: RunningConsumers,
  options: IdleOptions = {},
): Promise<void> {
  const queues = options.queues ?? [RAW_QUEUE, CLEAN_QUEUE];
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  let quietPolls = 0;
  while (quietPolls < 2 && !options.signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    let ready = 0;
    try {
      for (const queue of queues) ready += (await queueDepth(connection, queue)).ready;
    } catch {
      // The broker is away for a moment: the connection says so and reconnects; ask again later.
      quietPolls = 0;
      continue;
    }
    quietPolls = ready === 0 && consumers.inFlight === 0 ? quietPolls + 1 : 0;
  }
}
