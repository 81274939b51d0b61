/**
 * Telemetry: the logger, the metrics registry with one recorder per event, reject reason classes, and
 * the escaping of message- and file-derived text before it reaches a terminal.
 */
export { createLogger } from './logger.js';
export type { Logger } from './logger.js';
export { createMetrics } from './metrics.js';
export type {
  Metrics,
  MetricsOptions,
  PipelineMetrics,
  QueueDepthReading,
  SettleOutcome,
} from './metrics.js';
export { METRICS } from './metric-names.js';
export type { MetricSpec } from './metric-names.js';
export { REJECT_REASON_CLASSES, rejectReasonClassOf } from './reject-reasons.js';
export type { RejectReasonClass } from './reject-reasons.js';
export { terminalSafe } from './terminal-text.js';
