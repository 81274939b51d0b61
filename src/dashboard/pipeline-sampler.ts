/**
 * The pipeline as the dashboard shows it: every few seconds, the depth of each queue and the row
 * count of each table, kept for the last few minutes so that a page opened now sees the rising and
 * falling edge too. Rates are differences between two samples; nothing here touches the broker or
 * the database itself: `read` does.
 */
import type { QueueDepthReading } from '../telemetry/index.js';

/** What one reading of the pipeline returns. */
export interface PipelineReading {
  readonly queues: readonly QueueDepthReading[];
  readonly rows: {
    readonly raw: number;
    readonly clean: number;
    readonly rejected: number;
    /** Some count is InnoDB's estimate (a large table), not exact: rates between samples still hold. */
    readonly estimated?: boolean;
  };
}

export interface PipelineSample extends PipelineReading {
  /** When it was read, epoch ms. */
  readonly t: number;
  /** Lines per second arriving in raw_log (the data lake) since the previous sample. */
  readonly inPerSecond: number;
  /** Lines per second parsed and stored (clean_log + rejected_log) since the previous sample. */
  readonly storedPerSecond: number;
  /** Seconds until the work queues are empty at the rate they fell since the last sample; null if not falling. */
  readonly drainSeconds: number | null;
  /** The reading failed (broker or database away): the last good values are repeated. */
  readonly error?: string;
}

export interface PipelineSampler {
  /** The samples kept, oldest first. */
  history(): readonly PipelineSample[];
  /** Calls `listener` with every new sample; returns the function that stops it. */
  subscribe(listener: (sample: PipelineSample) => void): () => void;
  /** Takes a sample now (also what the timer calls). */
  sampleNow(): Promise<PipelineSample>;
  stop(): void;
}

export interface PipelineSamplerOptions {
  readonly read: () => Promise<PipelineReading>;
  /** Time between samples, in ms. */
  readonly intervalMs: number;
  /** Samples kept. */
  readonly keep: number;
  /** The queues whose depth counts towards the drain time. */
  readonly workQueues: readonly string[];
  /** Start the timer (false in tests that call `sampleNow`). */
  readonly start?: boolean;
}

export function createPipelineSampler(options: PipelineSamplerOptions): PipelineSampler {
  const samples: PipelineSample[] = [];
  const listeners = new Set<(sample: PipelineSample) => void>();
  let sampling: Promise<PipelineSample> | undefined;

  const take = async (): Promise<PipelineSample> => {
    const previous = samples.at(-1);
    const t = Date.now();
    let sample: PipelineSample;
    try {
      const reading = await options.read();
      sample = { t, ...reading, ...ratesOf(previous, reading, t, options.workQueues) };
    } catch (error) {
      const empty = { queues: [], rows: { raw: 0, clean: 0, rejected: 0 } };
      sample = {
        ...(previous ?? empty),
        t,
        inPerSecond: 0,
        storedPerSecond: 0,
        drainSeconds: null,
        error: error instanceof Error ? error.message : String(error),
      };
    }
    samples.push(sample);
    if (samples.length > options.keep) samples.splice(0, samples.length - options.keep);
    for (const listener of listeners) listener(sample);
    return sample;
  };

  const sampleNow = (): Promise<PipelineSample> => {
    sampling ??= take().finally(() => (sampling = undefined));
    return sampling;
  };

  const timer =
    options.start === false
      ? undefined
      : setInterval(() => void sampleNow().catch(() => undefined), options.intervalMs);
  timer?.unref();

  return {
    history: () => samples,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    sampleNow,
    stop() {
      if (timer) clearInterval(timer);
      listeners.clear();
    },
  };
}

function ratesOf(
  previous: PipelineSample | undefined,
  reading: PipelineReading,
  t: number,
  workQueues: readonly string[],
): Pick<PipelineSample, 'inPerSecond' | 'storedPerSecond' | 'drainSeconds'> {
  const waiting = (queues: readonly QueueDepthReading[]): number =>
    queues.filter((queue) => workQueues.includes(queue.queue)).reduce((sum, queue) => sum + queue.ready, 0);
  const now = waiting(reading.queues);
  if (!previous || previous.error !== undefined || t <= previous.t) {
    return { inPerSecond: 0, storedPerSecond: 0, drainSeconds: now === 0 ? 0 : null };
  }
  const seconds = (t - previous.t) / 1000;
  const stored = (rows: PipelineReading['rows']): number => rows.clean + rows.rejected;
  const fell = waiting(previous.queues) - now;
  return {
    inPerSecond: Math.max(0, (reading.rows.raw - previous.rows.raw) / seconds),
    storedPerSecond: Math.max(0, (stored(reading.rows) - stored(previous.rows)) / seconds),
    drainSeconds: now === 0 ? 0 : fell > 0 ? (now / fell) * seconds : null,
  };
}
