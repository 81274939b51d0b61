/**
 * Operator actions on the topology: declare it all at once (`lograbbit setup`), and read queue depths
 * (for `--until-idle`, `ingest`, and stats).
 */
import type { Connection } from 'rabbitmq-client';
import { BINDINGS, EXCHANGES, QUEUES } from './topology.js';

/** Declares every exchange, queue and binding; idempotent. */
export async function declareTopology(connection: Connection): Promise<void> {
  for (const exchange of EXCHANGES) await connection.exchangeDeclare(exchange);
  for (const queue of QUEUES) await connection.queueDeclare(queue);
  for (const binding of BINDINGS) await connection.queueBind(binding);
}

export interface QueueDepth {
  readonly queue: string;
  /** Messages ready for delivery (not counting those delivered and not yet acknowledged). */
  readonly ready: number;
  readonly consumers: number;
}

/** The depth of an existing queue, read with a passive declare. */
export async function queueDepth(connection: Connection, queue: string): Promise<QueueDepth> {
  const answer = await connection.queueDeclare({ queue, passive: true });
  return { queue, ready: answer.messageCount, consumers: answer.consumerCount };
}
