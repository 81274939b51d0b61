/** Telemetry: the logger, the metrics registry with one recorder per event, and reject reason classes. */
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
