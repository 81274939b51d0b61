/**
 * The consuming half of the pipeline: `data-lake` → raw rows, and `data-clean` → parse → enrich →
 * clean or rejected rows. Each handler turns one message into rows and waits until a transaction
 * holding them has committed; only then is the message acked.
 */
import type { Logger } from 'pino';
import type { PipelineMetrics } from '../telemetry/index.js';
import type { CleanOrRejectedLine, RawLine, RejectCode } from '../domain/index.js';
import { PoisonMessageError } from '../errors.js';
import { CLEAN_QUEUE, RAW_QUEUE, consumeLineBatches } from '../broker/index.js';
import type {
  BatchOutcome,
  BrokerConnection,
  DeclaredTopology,
  LineConsumer,
  LineConsumerOptions,
  ReceivedLineBatch,
} from '../broker/index.js';
import { createDetectMemo } from '../formats/index.js';
import type { DetectMemo, FormatChoice } from '../formats/index.js';
import type { EnrichOptions } from '../enrich/index.js';
import { openLineStore } from '../store/index.js';
import type { LineStore, RowWriters, StoredCounts } from '../store/index.js';
import { rawLinesOf, readLinesOf } from './lines-of-message.js';

export type QueueRole = 'raw' | 'clean';

export interface ConsumeOptions {
  /** Which queues to consume: both by default, so one process stores every line in both tables. */
  readonly roles: readonly QueueRole[];
  /** A built-in format, `auto` (detected per source), or a compiled `--log-format`/`--apache-format`. */
  readonly format: FormatChoice;
  readonly prefetch: number;
  readonly writeBatchRows: number;
  /** Transactions in flight at once per table. */
  readonly writeConcurrency: number;
  readonly flushIntervalMs: number;
  readonly enrich?: EnrichOptions;
  /**
   * The topology from `declareTopology`, declared again after every reconnect; undefined for
   * operators who separate roles (`--no-setup`): then nothing is declared.
   */
  readonly topology?: DeclaredTopology | undefined;
  readonly log: Logger;
  /** Where messages, rows and rejects are counted (per message or per commit, never per line). */
  readonly metrics?: PipelineMetrics;
}

export interface ConsumeCounts {
  /** Lines stored (or found already stored) in raw_log. */
  raw: number;
  /** Lines a format parsed. */
  parsed: number;
  /** Lines no format accepted (stored in rejected_log with the reason). */
  rejected: number;
  /** Messages moved to data-dead (undecodable, or refused by the database). */
  readonly dead: number;
}

export interface RunningConsumers {
  readonly counts: Readonly<ConsumeCounts>;
  /** What was stored so far: rows new and already there, per table. */
  stored(): StoredCounts;
  /** Messages received and not yet settled, over both queues. */
  readonly inFlight: number;
  /** Why rows are not being stored right now (an outage, retried), or undefined when they are. */
  readonly writeProblem: string | undefined;
  /** Stops taking messages, finishes and acks those in hand, closes the channels. */
  close(): Promise<void>;
}

/** Rows a little over this many bytes make a transaction of their own (below max_allowed_packet). */
const MAX_TRANSACTION_BYTES = 8 * 1024 * 1024;

export function startConsumers(
  connection: BrokerConnection,
  writers: RowWriters,
  options: ConsumeOptions,
): RunningConsumers {
  return new LineConsumers(connection, writers, options);
}

/**
 * Read top to bottom: the constructor opens the store port and a consumer per role; each message of
 * data-lake goes to `storeRaw`, each of data-clean to `storeClean`, which hand the store the lines'
 * `make` (run when the transaction forms) and `settle` the message once they are committed.
 */
class LineConsumers implements RunningConsumers {
  readonly counts: ConsumeCounts;
  private readonly consumers: LineConsumer[] = [];
  private readonly store: LineStore;
  /** Per source, which format parsed its last line (auto-detection starts there). */
  private readonly memos = new Map<string, DetectMemo>();
  /** Per source, the format said to be detected last (see `announce`). */
  private readonly announced = new Map<string, string>();

  constructor(
    connection: BrokerConnection,
    writers: RowWriters,
    private readonly options: ConsumeOptions,
  ) {
    const { consumers } = this;
    this.counts = {
      raw: 0,
      parsed: 0,
      rejected: 0,
      get dead() {
        return consumers.reduce((sum, consumer) => sum + consumer.deadLettered, 0);
      },
    };
    const { metrics } = options;
    this.store = openLineStore(writers, {
      maxRows: options.writeBatchRows,
      maxBytes: MAX_TRANSACTION_BYTES,
      flushIntervalMs: options.flushIntervalMs,
      concurrency: options.writeConcurrency,
      log: options.log,
      onCommit: (table, rows, inserted, seconds) => metrics?.committed(table, rows, inserted, seconds),
      onRecovered: () => metrics?.reconnected('database'),
    });
    if (options.roles.includes('raw')) {
      consumers.push(
        consumeLineBatches(connection, this.consumerOptions(RAW_QUEUE), (batch) => this.storeRaw(batch)),
      );
    }
    if (options.roles.includes('clean')) {
      consumers.push(
        consumeLineBatches(connection, this.consumerOptions(CLEAN_QUEUE), (batch) => this.storeClean(batch)),
      );
    }
  }

  stored(): StoredCounts {
    return this.store.stored();
  }

  get inFlight(): number {
    return this.consumers.reduce((sum, consumer) => sum + consumer.inFlight, 0);
  }

  get writeProblem(): string | undefined {
    return this.store.problem;
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.close()));
    await this.store.flush();
  }

  private consumerOptions(queue: string): LineConsumerOptions {
    const { metrics } = this.options;
    return {
      queue,
      prefetch: this.options.prefetch,
      topology: this.options.topology,
      log: this.options.log,
      onSettled: (outcome, lines) => metrics?.settled(queue, outcome, lines),
    };
  }

  /** A data-lake message: its lines into raw_log. */
  private storeRaw(batch: ReceivedLineBatch): Promise<BatchOutcome> {
    const lines = batch.lineCount;
    // Made when its transaction is formed, as the clean lines are (below).
    const makeLines = (): RawLine[] => rawLinesOf(batch, this.store.fitLine);
    const bytes = batch.lineBytes + 64 * lines;
    return this.settle(this.store.storeRawLater(lines, bytes, makeLines), lines, () => {
      this.counts.raw += lines;
      this.options.metrics?.rowsStored('raw_log', lines);
    });
  }

  /** A data-clean message: each line parsed and enriched into clean_log, or into rejected_log with why. */
  private storeClean(batch: ReceivedLineBatch): Promise<BatchOutcome> {
    const { options } = this;
    const memo = this.memoOf(batch.source);
    // What the metrics need of the lines, kept when the lines themselves are gone.
    let parsed = 0;
    let codes: RejectCode[] = [];
    const parseAll = (): CleanOrRejectedLine[] => {
      const read = readLinesOf(batch, {
        format: options.format,
        memo,
        enrich: options.enrich,
        fitLine: this.store.fitLine,
      });
      ({ parsed, codes } = read);
      this.announce(batch.source, memo);
      return read.lines;
    };
    // Parsed when its transaction is formed, not on delivery: until then the message holds its
    // bytes (about 250 a line) instead of parsed and enriched lines (measured: see RESULTS.md).
    const bytes = batch.lineBytes + 512 * batch.lineCount;
    const write = this.store.storeLinesLater(batch.lineCount, bytes, parseAll);
    return this.settle(write, batch.lineCount, ({ rejectedInstead }) => {
      // A clean line the table could not hold, or the database refused alone, was stored as a
      // rejected one, with its reason.
      parsed -= rejectedInstead.length;
      codes.push(...rejectedInstead);
      this.counts.parsed += parsed;
      this.counts.rejected += codes.length;
      if (options.metrics) {
        options.metrics.rowsStored('clean_log', parsed);
        options.metrics.rowsStored('rejected_log', codes.length);
        options.metrics.rejected(codes);
      }
    });
  }

  /**
   * The message's outcome once `write` settles: ack after the commit (and `tally`), data-dead for
   * lines that cannot be stored in any form, else redelivery.
   */
  private async settle<T>(
    write: Promise<T>,
    lines: number,
    tally: (stored: T) => void,
  ): Promise<BatchOutcome> {
    try {
      tally(await write);
      return { outcome: 'ack' };
    } catch (error) {
      if (error instanceof PoisonMessageError) return { outcome: 'dead', reason: error.message };
      this.options.log.error(
        { error: String(error), lines },
        'unexpected error while storing; the message will be redelivered',
      );
      return { outcome: 'requeue' };
    }
  }

  private memoOf(source: string): DetectMemo {
    let memo = this.memos.get(source);
    if (!memo) this.memos.set(source, (memo = createDetectMemo()));
    return memo;
  }

  /** Auto-detection says once per source which format it picked (at info; changes later at debug). */
  private announce(source: string, memo: DetectMemo): void {
    const picked = memo.last;
    const { log } = this.options;
    if (this.options.format !== 'auto' || picked === null || this.announced.get(source) === picked) return;
    const first = !this.announced.has(source);
    this.announced.set(source, picked);
    if (first) log.info({ source, format: picked }, 'detected the log format of a source');
    else log.debug({ source, format: picked }, 'the log format of a source changed');
  }
}
