/** The broker adapter: connection, topology, line-batch codec, publisher and consumer. */
// Every channel of every connection hands message bodies over as the bytes sent (see body.ts).
import './body.js';
export { connectBroker } from './connection.js';
export type { BrokerEndpoint } from './connection.js';
export {
  EXCHANGE,
  DEAD_LETTER_EXCHANGE,
  RAW_QUEUE,
  CLEAN_QUEUE,
  DEAD_QUEUE,
  BINDING_KEY,
  DELIVERY_LIMIT,
  routingKeyOf,
} from './topology.js';
export type { DeclaredTopology } from './topology.js';
export {
  encodeLineBatch,
  readLineBatch,
  MAX_LINES_PER_MESSAGE,
  MAX_LINE_BYTES,
  MIN_READ_AT_MS,
  MAX_READ_AT_MS,
} from './codec.js';
export type { ReceivedLineBatch } from './codec.js';
export { createLinePublisher } from './publisher.js';
export type { LinePublisher, LinePublisherOptions } from './publisher.js';
export { consumeLineBatches, REASON_HEADER, ORIGIN_QUEUE_HEADER } from './consumer.js';
export type { BatchHandler, BatchOutcome, LineConsumer, LineConsumerOptions } from './consumer.js';
export { declareTopology, queueDepth } from './admin.js';
export { readClusterView, memberShortfalls, growCommands } from './cluster-members.js';
export type { ClusterView, ManagementEndpoint, MemberShortfall, QueuePlacement } from './cluster-members.js';
export { listDeadLetters, replayDeadLetters } from './dead-letters.js';
export type { DeadLetter, ReplayResult } from './dead-letters.js';
export type { QueueDepth } from './admin.js';
export type { Connection as BrokerConnection } from 'rabbitmq-client';
