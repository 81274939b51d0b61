/**
 * The metrics registry of one process and its recorders: one function per event, so that the
 * pipeline says *what happened* (`metrics.confirmed(lines)`) and this module alone knows how that is
 * counted. Recorders are called per batch or per message, never per line. Each `createMetrics` has a
 * registry of its own, so tests and several pipelines in one process never share counts.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BATCH_SIZE_BUCKETS, INSERT_SECONDS_BUCKETS, METRICS } from './metric-names.js';
import type { MetricSpec } from './metric-names.js';
import type { RejectCode } from '../domain/index.js';

/** How a consumer settled a message. */
export type SettleOutcome = 'ack' | 'requeue' | 'dead';

/** A queue's depth as the broker reports it. */
export interface QueueDepthReading {
  readonly queue: string;
  readonly ready: number;
  readonly consumers: number;
}

/** The recorders the pipeline calls; every one is cheap (a few counter increments). */
export interface PipelineMetrics {
  /** Lines (and their bytes) read from an input, per batch. */
  linesRead(lines: number, bytes: number): void;
  /** A message of `lines` lines handed to the broker. */
  published(lines: number): void;
  /** A message of `lines` lines confirmed by the broker. */
  confirmed(lines: number): void;
  /** A message returned as unroutable. */
  returned(): void;
  /** A consumer settled a message of `lines` lines (0 when it could not be decoded). */
  settled(queue: string, outcome: SettleOutcome, lines: number): void;
  /** Rows committed to `table` (new or already there). */
  rowsStored(table: string, rows: number): void;
  /** Lines rejected, by the code of each one's reason (the label; never the reason's text). */
  rejected(codes: readonly RejectCode[]): void;
  /** A writer committed a transaction of `rows` rows, `inserted` of them new, in `seconds`. */
  committed(writer: string, rows: number, inserted: number, seconds: number): void;
  /** A connection came back after an outage. */
  reconnected(service: 'broker' | 'database'): void;
  /** Bytes of `file` not yet read; `null` when the file is no longer followed. */
  followLag(file: string, bytes: number | null): void;
  /** Bytes of a followed file found unreadable for good (deleted or compressed before they were read). */
  followLost(bytes: number): void;
}

export interface Metrics extends PipelineMetrics {
  readonly registry: Registry;
  /** Reads queue depths when /metrics is scraped (one reader per process; the last one wins). */
  watchQueueDepths(read: () => Promise<readonly QueueDepthReading[]>): void;
  /** The value of a counter (summed over its labels), for reports and the dashboard. */
  total(name: keyof typeof METRICS): Promise<number>;
}

export interface MetricsOptions {
  /** Add Node's process metrics (CPU, memory, event loop lag): true for a real process. */
  readonly processMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const counter = (metric: MetricSpec): Counter =>
    new Counter({ name: metric.name, help: metric.help, labelNames: metric.labels, registers: [registry] });
  const histogram = (metric: MetricSpec, buckets: readonly number[]): Histogram =>
    new Histogram({
      name: metric.name,
      help: metric.help,
      labelNames: metric.labels,
      buckets: [...buckets],
      registers: [registry],
    });

  const linesRead = counter(METRICS.linesRead);
  const bytesRead = counter(METRICS.bytesRead);
  const linesPublished = counter(METRICS.linesPublished);
  const messagesPublished = counter(METRICS.messagesPublished);
  const linesConfirmed = counter(METRICS.linesConfirmed);
  const messagesConfirmed = counter(METRICS.messagesConfirmed);
  const messagesReturned = counter(METRICS.messagesReturned);
  const messageLines = histogram(METRICS.messageLines, BATCH_SIZE_BUCKETS);
  const messagesConsumed = counter(METRICS.messagesConsumed);
  const linesConsumed = counter(METRICS.linesConsumed);
  const messagesAcked = counter(METRICS.messagesAcked);
  const messagesRequeued = counter(METRICS.messagesRequeued);
  const messagesDeadLettered = counter(METRICS.messagesDeadLettered);
  const rowsInserted = counter(METRICS.rowsInserted);
  const rowsDuplicate = counter(METRICS.rowsDuplicate);
  const linesRejected = counter(METRICS.linesRejected);
  const insertBatchRows = histogram(METRICS.insertBatchRows, BATCH_SIZE_BUCKETS);
  const insertDuration = histogram(METRICS.insertDuration, INSERT_SECONDS_BUCKETS);
  const reconnects = counter(METRICS.reconnects);
  const followLostBytes = counter(METRICS.followLostBytes);
  const followLag = new Gauge({
    name: METRICS.followLag.name,
    help: METRICS.followLag.help,
    labelNames: METRICS.followLag.labels,
    registers: [registry],
  });

  let readDepths: (() => Promise<readonly QueueDepthReading[]>) | undefined;
  let depths: Promise<readonly QueueDepthReading[]> | undefined;
  // Both depth gauges are filled from one broker round trip per scrape.
  const depthsOnce = (): Promise<readonly QueueDepthReading[]> => {
    depths ??= (readDepths?.() ?? Promise.resolve([])).catch(() => []);
    const current = depths;
    // Not awaited: it only forgets the reading once every gauge of this scrape has had it; `current`
    // cannot reject (the catch above), so neither can this.
    void current.finally(() => setImmediate(() => (depths = undefined)));
    return current;
  };
  const depthGauge = (metric: MetricSpec, pick: (reading: QueueDepthReading) => number): Gauge =>
    new Gauge({
      name: metric.name,
      help: metric.help,
      labelNames: metric.labels,
      registers: [registry],
      async collect() {
        if (!readDepths) return;
        this.reset();
        for (const reading of await depthsOnce()) this.set({ queue: reading.queue }, pick(reading));
      },
    });
  depthGauge(METRICS.queueReady, (reading) => reading.ready);
  depthGauge(METRICS.queueConsumers, (reading) => reading.consumers);

  return {
    registry,
    linesRead(lines, bytes) {
      linesRead.inc(lines);
      bytesRead.inc(bytes);
    },
    published(lines) {
      linesPublished.inc(lines);
      messagesPublished.inc();
      messageLines.observe(lines);
    },
    confirmed(lines) {
      linesConfirmed.inc(lines);
      messagesConfirmed.inc();
    },
    returned() {
      messagesReturned.inc();
    },
    settled(queue, outcome, lines) {
      messagesConsumed.inc({ queue });
      if (lines > 0) linesConsumed.inc({ queue }, lines);
      if (outcome === 'ack') messagesAcked.inc({ queue });
      else if (outcome === 'requeue') messagesRequeued.inc({ queue });
      else messagesDeadLettered.inc({ queue });
    },
    rowsStored(table, rows) {
      if (rows > 0) rowsInserted.inc({ table }, rows);
    },
    rejected(codes) {
      if (codes.length === 0) return;
      const byCode = new Map<RejectCode, number>();
      for (const code of codes) byCode.set(code, (byCode.get(code) ?? 0) + 1);
      for (const [reason, n] of byCode) linesRejected.inc({ reason }, n);
    },
    committed(writer, rows, inserted, seconds) {
      insertBatchRows.observe({ writer }, rows);
      insertDuration.observe({ writer }, seconds);
      if (rows > inserted) rowsDuplicate.inc({ writer }, rows - inserted);
    },
    reconnected(service) {
      reconnects.inc({ service });
    },
    followLag(file, bytes) {
      if (bytes === null) followLag.remove({ file });
      else followLag.set({ file }, bytes);
    },
    followLost(bytes) {
      followLostBytes.inc(bytes);
    },
    watchQueueDepths(read) {
      readDepths = read;
    },
    async total(name) {
      const metric = registry.getSingleMetric(METRICS[name].name);
      if (!metric) return 0;
      const { values } = await metric.get();
      return values.reduce((sum, value) => sum + value.value, 0);
    },
  };
}
