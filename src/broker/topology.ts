/**
 * The broker topology, declared in code and redeclared after every reconnect (by the publisher and
 * consumers of rabbitmq-client). Names are a contract: other tools bind to them.
 *
 *   producer ── log.<source> ──▶ weblogs (topic) ──log.#──▶ data-lake  (quorum) ──▶ raw consumer
 *                                                 └─log.#──▶ data-clean (quorum) ──▶ clean consumer
 *   a message rejected for good ──▶ weblogs.dead (fanout) ──▶ data-dead (quorum)
 */
import type { MethodParams, Cmd } from 'rabbitmq-client';

export const EXCHANGE = 'weblogs';
export const DEAD_LETTER_EXCHANGE = 'weblogs.dead';
export const RAW_QUEUE = 'data-lake';
export const CLEAN_QUEUE = 'data-clean';
export const DEAD_QUEUE = 'data-dead';
export const BINDING_KEY = 'log.#';
/** Redeliveries after which the broker dead-letters a message instead of handing it out again. */
export const DELIVERY_LIMIT = 20;

/** Content type of a message body made by `encodeLineBatch`. */
export const LINE_BATCH_CONTENT_TYPE = 'application/vnd.lograbbit.lines.v1';

/** `log.<source>`, with the characters AMQP routing treats specially replaced. */
export function routingKeyOf(source: string): string {
  return `log.${source.replace(/[.#*\s]/g, '_')}`;
}

type QueueDeclare = MethodParams[Cmd.QueueDeclare];
type ExchangeDeclare = MethodParams[Cmd.ExchangeDeclare];
type QueueBind = MethodParams[Cmd.QueueBind];

/**
 * Where a new queue's leader goes: `balanced` puts it on the node with the fewest leaders, so the
 * three queues' leaders spread over a cluster instead of all landing on the node `setup` talked to.
 * RabbitMQ compares it when a queue is declared again, so a queue made before it keeps its own
 * declaration (see `declareTopology`).
 */
export const LEADER_LOCATOR_ARGUMENT = 'x-queue-leader-locator';

const workQueueArguments = {
  'x-queue-type': 'quorum',
  [LEADER_LOCATOR_ARGUMENT]: 'balanced',
  'x-delivery-limit': DELIVERY_LIMIT,
  'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
  // at-least-once dead-lettering: a message moves to data-dead only once data-dead has confirmed it.
  'x-dead-letter-strategy': 'at-least-once',
  'x-overflow': 'reject-publish',
} as const;

export const EXCHANGES: readonly ExchangeDeclare[] = [
  { exchange: EXCHANGE, type: 'topic', durable: true },
  { exchange: DEAD_LETTER_EXCHANGE, type: 'fanout', durable: true },
];

export const QUEUES: readonly QueueDeclare[] = [
  { queue: RAW_QUEUE, durable: true, arguments: workQueueArguments },
  { queue: CLEAN_QUEUE, durable: true, arguments: workQueueArguments },
  {
    queue: DEAD_QUEUE,
    durable: true,
    arguments: { 'x-queue-type': 'quorum', [LEADER_LOCATOR_ARGUMENT]: 'balanced' },
  },
];

export const BINDINGS: readonly QueueBind[] = [
  { queue: RAW_QUEUE, exchange: EXCHANGE, routingKey: BINDING_KEY },
  { queue: CLEAN_QUEUE, exchange: EXCHANGE, routingKey: BINDING_KEY },
  { queue: DEAD_QUEUE, exchange: DEAD_LETTER_EXCHANGE, routingKey: '' },
];

/**
 * The queues' declarations as the broker accepted them (from `declareTopology`): what a publisher or
 * a consumer declares again after every reconnect.
 */
export interface DeclaredTopology {
  readonly queues: readonly QueueDeclare[];
}

/** The declaration of one of our queues, for a consumer that (re)declares it before consuming. */
export function queueDeclarationIn(topology: DeclaredTopology, queue: string): QueueDeclare {
  const declaration = topology.queues.find((candidate) => candidate.queue === queue);
  if (!declaration) throw new Error(`unknown queue ${queue}`);
  return declaration;
}

/** A declaration without the leader locator: that of a queue made before lograbbit declared one. */
export function withoutLeaderLocator(declaration: QueueDeclare): QueueDeclare {
  const { [LEADER_LOCATOR_ARGUMENT]: _locator, ...others } = declaration.arguments ?? {};
  return { ...declaration, arguments: others };
}
