/**
 * Operator actions on the topology: declare it all at once (`lograbbit setup`), and read queue depths
 * (for `--until-idle`, `ingest`, and stats).
 */
import type { Connection } from 'rabbitmq-client';
import { BINDINGS, EXCHANGES, LEADER_LOCATOR_ARGUMENT, QUEUES, withoutLeaderLocator } from './topology.js';
import type { DeclaredTopology } from './topology.js';

/**
 * Declares every exchange, queue and binding; idempotent. Returns the queues' declarations as the
 * broker took them, for the publishers and consumers to declare again after a reconnect.
 *
 * A queue made by a lograbbit that declared no leader locator keeps that declaration: RabbitMQ
 * refuses to declare an existing queue with an argument it was not made with (PRECONDITION_FAILED,
 * in either direction), and a queue's arguments cannot change. Its leader stays where it is.
 */
export async function declareTopology(connection: Connection): Promise<DeclaredTopology> {
  for (const exchange of EXCHANGES) await connection.exchangeDeclare(exchange);
  const queues = [];
  for (const queue of QUEUES) {
    try {
      await connection.queueDeclare(queue);
      queues.push(queue);
    } catch (error) {
      if (!madeWithoutLeaderLocator(error)) throw error;
      const before = withoutLeaderLocator(queue);
      await connection.queueDeclare(before);
      queues.push(before);
    }
  }
  for (const binding of BINDINGS) await connection.queueBind(binding);
  return { queues };
}

/** The broker's answer to a declaration with the leader locator, of a queue made without one. */
function madeWithoutLeaderLocator(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error) || error.code !== 'PRECONDITION_FAILED') return false;
  return (
    error.message.includes(`inequivalent arg '${LEADER_LOCATOR_ARGUMENT}'`) &&
    / current is none\b/.test(error.message)
  );
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
