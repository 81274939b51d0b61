/**
 * Gathers rows from many messages into few transactions. Each `add` is one unit (the rows of one
 * broker message) and resolves only once a transaction holding all its rows has committed, so the
 * consumer acks after commit and never before.
 *
 * When the database is away the same batch is retried with backoff, said once in the log, for as long
 * as it takes; the consumers' prefetch bounds what waits meanwhile. When the database refuses a batch
 * (a value it cannot store), each unit is written alone so that only the refused unit fails, with a
 * `PoisonMessageError` that sends its message to data-dead.
 */
import type { Logger } from 'pino';
import { PoisonMessageError, messageOf } from '../errors.js';
import { isTransientDatabaseError } from './transient.js';

/** The rows of one transaction, taken in a unit at a time, then written. */
export interface RowBatch<Row> {
  /** Takes rows in; the LOAD DATA writer encodes them at once, so they need not be kept. */
  add(rows: readonly Row[]): void;
  /** Writes all that was added in one transaction; may be called again after a failure. */
  write(): Promise<number>;
  /** Done with it, written or given up. */
  release(): void;
}

export interface BatchWriterOptions<Row> {
  /** Names the writer in logs: `raw_log`, `clean_log`. */
  readonly name: string;
  /** Rows per transaction, at most (a single larger unit is still written whole). */
  readonly maxRows: number;
  /** Bytes per transaction, roughly, at most: keeps statements under max_allowed_packet. */
  readonly maxBytes?: number;
  /** How long a partial batch waits for more rows, in ms. */
  readonly flushIntervalMs: number;
  /**
   * Transactions in flight at once, at most (1 by default): with 2, the next batch is written while
   * the last one commits, so the consumer's CPU work and the database's overlap.
   */
  readonly concurrency?: number;
  /** Starts the rows of a transaction (see `RowBatch`). */
  readonly begin?: () => RowBatch<Row>;
  /** Or, more simply: writes the rows in one transaction; returns how many were new. */
  readonly write?: (rows: readonly Row[]) => Promise<number>;
  readonly log: Logger;
  /** Called after each commit with its rows, how many were new, and how long it took: for metrics. */
  readonly onCommit?: (rows: number, inserted: number, seconds: number) => void;
  /** Called when writes succeed again after an outage: for metrics. */
  readonly onRecovered?: () => void;
}

export interface BatchWriterStats {
  /** Rows committed that were new. */
  inserted: number;
  /** Rows committed that were already there (a redelivery or a re-ingest). */
  duplicates: number;
  transactions: number;
}

export interface BatchWriter<Row> {
  /**
   * Resolves when the rows are committed; rejects with `PoisonMessageError` if they are refused.
   * These rows count towards `maxRows` only; `addLater` gives a unit's bytes for `maxBytes`.
   */
  add(rows: readonly Row[]): Promise<void>;
  /**
   * As `add`, for `count` rows (about `bytes` in all) that `make` builds only when their transaction
   * is formed. A message waiting for its turn then holds its own bytes rather than its rows: the
   * clean consumer's parsed rows, waiting, were most of its heap. If `make` throws, the promise
   * rejects with that error and nothing of the unit is written. `make` is called again if its batch
   * is refused and its units are then written one by one: it must give the same rows each time.
   */
  addLater(count: number, bytes: number, make: () => readonly Row[]): Promise<void>;
  readonly stats: Readonly<BatchWriterStats>;
  /** Writes what is pending and waits for it. */
  flush(): Promise<void>;
}

interface Unit<Row> {
  /** The rows given to `add`; those of `addLater` are made again whenever they are needed. */
  readonly rows: readonly Row[] | undefined;
  readonly make: (() => readonly Row[]) | undefined;
  readonly count: number;
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 5000;

export function createBatchWriter<Row>(options: BatchWriterOptions<Row>): BatchWriter<Row> {
  const { log, name } = options;
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const stats: BatchWriterStats = { inserted: 0, duplicates: 0, transactions: 0 };
  const pending: Array<Unit<Row>> = [];
  let pendingRows = 0;
  let pendingBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let outage = false;

  const full = (): boolean => pendingRows >= options.maxRows || pendingBytes >= maxBytes;

  const begin =
    options.begin ??
    ((): RowBatch<Row> => {
      const { write } = options;
      if (write === undefined) throw new TypeError('createBatchWriter needs `begin` or `write`');
      let rows: Row[] = [];
      return {
        add(more) {
          for (const row of more) rows.push(row);
        },
        write: () => write(rows),
        release: () => void (rows = []),
      };
    });

  /** Writes `batch`, retrying for as long as the database is away; throws only if it refuses it. */
  const writeRetrying = async (batch: RowBatch<Row>, rows: number): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const startedAt = performance.now();
        const inserted = await batch.write();
        stats.inserted += inserted;
        stats.duplicates += rows - inserted;
        stats.transactions++;
        options.onCommit?.(rows, inserted, (performance.now() - startedAt) / 1000);
        if (outage) {
          outage = false;
          log.info({ table: name }, 'database reachable again; writes resumed');
          options.onRecovered?.();
        }
        return;
      } catch (error) {
        if (!isTransientDatabaseError(error)) throw error;
        if (!outage) {
          outage = true;
          log.warn({ table: name, error: messageOf(error) }, 'database unavailable; retrying with backoff');
        }
        await sleep(Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(attempt, 5)));
      }
    }
  };

  /**
   * The units' rows in a new batch, and how many. A unit whose rows cannot be made is rejected with
   * that error and left out; the others are not touched.
   */
  const batchOf = (
    units: Array<Unit<Row>>,
  ): { batch: RowBatch<Row>; units: Array<Unit<Row>>; rows: number } => {
    const batch = begin();
    const taken: Array<Unit<Row>> = [];
    let rows = 0;
    for (const unit of units) {
      let made: readonly Row[];
      try {
        made = unit.rows ?? (unit.make as () => readonly Row[])();
      } catch (error) {
        unit.reject(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      // Added (encoded) a unit at a time, so that no more than one unit's row objects are alive.
      batch.add(made);
      rows += made.length;
      taken.push(unit);
    }
    return { batch, units: taken, rows };
  };

  const writeUnits = async (all: Array<Unit<Row>>): Promise<void> => {
    const { batch, units, rows } = batchOf(all);
    try {
      if (units.length === 0) return;
      await writeRetrying(batch, rows);
      for (const unit of units) unit.resolve();
      return;
    } catch (error) {
      if (units.length === 1) {
        const [unit] = units;
        unit?.reject(
          new PoisonMessageError(
            'LR_ROW_REFUSED',
            `${name}: the database refused the rows: ${messageOf(error)}`,
            error,
          ),
        );
        return;
      }
      log.warn(
        { table: name, error: messageOf(error) },
        'database refused a batch; writing its messages one by one',
      );
    } finally {
      batch.release();
    }
    for (const unit of units) await writeUnits([unit]);
  };

  /** Takes whole units until the batch is full (a unit larger than the limit still goes alone). */
  const takeBatch = (): Array<Unit<Row>> => {
    const batch: Array<Unit<Row>> = [];
    let rows = 0;
    let bytes = 0;
    while (pending.length > 0) {
      const next = pending[0] as Unit<Row>;
      if (batch.length > 0 && (rows + next.count > options.maxRows || bytes + next.bytes > maxBytes)) break;
      pending.shift();
      rows += next.count;
      bytes += next.bytes;
      batch.push(next);
    }
    pendingRows -= rows;
    pendingBytes -= bytes;
    return batch;
  };

  /** Writes batches while there are full ones (or, the first time, whatever is pending). */
  const drain = async (): Promise<void> => {
    while (pending.length > 0) {
      const batch = takeBatch();
      if (batch.length > 0) await writeUnits(batch);
      if (pending.length > 0 && !full()) break;
    }
  };

  const concurrency = Math.max(1, options.concurrency ?? 1);
  const writing = new Set<Promise<void>>();

  const startWriting = (): void => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    // One more drain while there are rows nobody is writing and room for another transaction.
    while (writing.size < concurrency && pending.length > 0 && (writing.size === 0 || full())) {
      const run: Promise<void> = drain().finally(() => {
        writing.delete(run);
        if (pending.length > 0) schedule();
      });
      writing.add(run);
    }
  };

  const schedule = (): void => {
    if (full()) startWriting();
    else if (writing.size === 0) timer ??= setTimeout(startWriting, options.flushIntervalMs);
  };

  const enqueue = (unit: Omit<Unit<Row>, 'resolve' | 'reject'>): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      pending.push({ ...unit, resolve, reject });
      pendingRows += unit.count;
      pendingBytes += unit.bytes;
      schedule();
    });

  return {
    stats,
    add(rows) {
      if (rows.length === 0) return Promise.resolve();
      return enqueue({ rows, make: undefined, count: rows.length, bytes: 0 });
    },
    addLater(count, bytes, make) {
      if (count === 0) return Promise.resolve();
      return enqueue({ rows: undefined, make, count, bytes });
    },
    async flush() {
      while (pending.length > 0 || writing.size > 0) {
        startWriting();
        await Promise.all(writing);
      }
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
