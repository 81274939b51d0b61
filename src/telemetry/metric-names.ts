/**
 * Every metric lograbbit exposes, by name, with its help text and labels: the one place a metric is
 * named (docs/metrics.md lists the same). Label values come from small fixed sets — queue and table
 * names, reject reason classes — except `file` of the follow lag, one per followed file.
 */

/** A metric's name, help text and label names. */
export interface MetricSpec {
  readonly name: string;
  readonly help: string;
  readonly labels: readonly string[];
}

const spec = (name: string, help: string, labels: readonly string[] = []): MetricSpec => ({
  name,
  help,
  labels,
});

export const METRICS = {
  linesRead: spec('lograbbit_lines_read_total', 'Non-blank lines read from the inputs.'),
  bytesRead: spec('lograbbit_bytes_read_total', 'Bytes read from the inputs.'),
  linesPublished: spec('lograbbit_lines_published_total', 'Lines handed to RabbitMQ (before the confirm).'),
  messagesPublished: spec('lograbbit_messages_published_total', 'Messages handed to RabbitMQ.'),
  linesConfirmed: spec('lograbbit_lines_confirmed_total', 'Lines RabbitMQ confirmed: safe in both queues.'),
  messagesConfirmed: spec('lograbbit_messages_confirmed_total', 'Messages RabbitMQ confirmed.'),
  messagesReturned: spec(
    'lograbbit_messages_returned_total',
    'Messages RabbitMQ returned as unroutable (no queue bound).',
  ),
  messageLines: spec('lograbbit_message_lines', 'Lines per published message (the batch size).'),
  messagesConsumed: spec('lograbbit_messages_consumed_total', 'Messages a consumer settled, by queue.', [
    'queue',
  ]),
  linesConsumed: spec('lograbbit_lines_consumed_total', 'Lines in the messages consumed, by queue.', [
    'queue',
  ]),
  messagesAcked: spec('lograbbit_messages_acked_total', 'Messages acknowledged after their rows committed.', [
    'queue',
  ]),
  messagesRequeued: spec(
    'lograbbit_messages_requeued_total',
    'Messages handed back for redelivery after an unexpected error.',
    ['queue'],
  ),
  messagesDeadLettered: spec(
    'lograbbit_messages_dead_lettered_total',
    'Messages moved to data-dead (undecodable, or refused by the database).',
    ['queue'],
  ),
  rowsInserted: spec(
    'lograbbit_rows_inserted_total',
    'Rows committed, by table (a redelivered row counts again; see lograbbit_rows_duplicate_total).',
    ['table'],
  ),
  rowsDuplicate: spec(
    'lograbbit_rows_duplicate_total',
    'Rows committed that were already stored (redeliveries, re-ingests), by writer.',
    ['writer'],
  ),
  linesRejected: spec('lograbbit_lines_rejected_total', 'Lines no format accepted, by reason class.', [
    'reason',
  ]),
  insertBatchRows: spec('lograbbit_insert_batch_rows', 'Rows per database transaction, by writer.', [
    'writer',
  ]),
  insertDuration: spec(
    'lograbbit_insert_duration_seconds',
    'Time to commit one transaction of rows, by writer.',
    ['writer'],
  ),
  queueReady: spec('lograbbit_queue_messages_ready', 'Messages ready in a queue, read when scraped.', [
    'queue',
  ]),
  queueConsumers: spec('lograbbit_queue_consumers', 'Consumers of a queue, read when scraped.', ['queue']),
  followLag: spec(
    'lograbbit_follow_lag_bytes',
    'Bytes of a followed file that RabbitMQ has not confirmed yet (its size less the checkpoint).',
    ['file'],
  ),
  followLostBytes: spec(
    'lograbbit_follow_lost_bytes_total',
    'Bytes of followed files that can no longer be read: rotated generations deleted or compressed before they were read.',
  ),
  reconnects: spec(
    'lograbbit_reconnects_total',
    'Connections re-established after an outage, by service (broker, database).',
    ['service'],
  ),
} as const satisfies Record<string, MetricSpec>;

/** Upper bounds of the batch-size histograms (lines or rows). */
export const BATCH_SIZE_BUCKETS: readonly number[] = [1, 10, 50, 100, 250, 500, 1000, 2000, 5000, 10_000];
/** Upper bounds of the insert latency histogram, in seconds. */
export const INSERT_SECONDS_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];
