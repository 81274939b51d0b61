/**
 * Gathers rows from many messages into few transactions. Each `addLater` is one unit (the rows of one
 * broker message) and resolves only once a transaction holding all its rows has committed, so the
 * consumer acks after commit and never before.
 *
 * What the database says decides what happens (transient.ts):
 * - an outage — the server away, but also a missing privilege, a read-only server, or a table that
 *   no longer is as lograbbit writes it — retries the same batch with backoff for as long as it
 *   takes, said once in the log and in `problem`; the consumers' prefetch bounds what waits meanwhile;
 * - a write conflict (a deadlock, or Galera's certification failure at commit) writes the same batch
 *   again at once, at debug level: the rows are idempotent and the rollups count inside the batch's
 *   transaction, so a batch written again neither loses nor doubles anything;
 * - a refusal of a row's value halves the batch until the unit at fault is alone, then its rows, so
 *   that the other rows are stored. A refused row is written as the unit's `replace` says instead
 *   (the clean writer stores it in rejected_log with the database's reason); a unit with a row that
 *   cannot be stored at all fails alone, with a `PoisonMessageError` that sends its message to
 *   data-dead.
 * Nothing a unit holds can stop the writer: rows that cannot be made or encoded fail their unit only.
 */
import type { Logger } from 'pino';
import { PoisonMessageError, messageOf } from '../errors.js';
import { isRowRefusal, isTransientDatabaseError, isWriteConflict } from './transient.js';

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
  readonly begin: () => RowBatch<Row>;
  readonly log: Logger;
  /** Called after each commit with its rows, how many were new, and how long it took: for metrics. */
  readonly onCommit?: (rows: number, inserted: number, seconds: number) => void;
  /** Called when writes succeed again after an outage: for metrics. */
  readonly onRecovered?: () => void;
  /**
   * Checks that the tables are as lograbbit writes them (see table-check.ts): a problem makes a
   * refusal of rows an outage, since it would refuse every row.
   */
  readonly checkTables?: () => Promise<string | null>;
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
   * Takes a unit of `count` rows (about `bytes` in all) that `make` builds only when their transaction
   * is formed. Resolves when the rows are committed; rejects with `PoisonMessageError` if they are
   * refused. A message waiting for its turn then holds its own bytes rather than its rows: the
   * clean consumer's parsed rows, waiting, were most of its heap. If `make` throws, the promise
   * rejects with that error and nothing of the unit is written. `make` is called again if its batch
   * is refused and its units are then written one by one: it must give the same rows each time.
   */
  addLater(
    count: number,
    bytes: number,
    make: () => readonly Row[],
    replace?: RowReplacer<Row>,
  ): Promise<void>;
  readonly stats: Readonly<BatchWriterStats>;
  /** Why writes are not going through right now (an outage), or undefined when they are. */
  readonly problem: string | undefined;
  /** Writes what is pending and waits for it. */
  flush(): Promise<void>;
}

/**
 * What to write instead of a row the database refused alone, given its reason; undefined when the
 * row has no other form (its unit then fails).
 */
export type RowReplacer<Row> = (row: Row, reason: string) => Row | undefined;

interface Unit<Row> {
  /** Makes the unit's rows, again whenever they are needed. */
  readonly make: () => readonly Row[];
  readonly replace: RowReplacer<Row> | undefined;
  readonly count: number;
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 5000;
/**
 * Write conflicts in a row written again at once, after a random pause of up to `CONFLICT_PAUSE_MS`
 * (so that two writers that collided do not collide again), before they count as an outage.
 */
const CONFLICT_RETRIES = 10;
const CONFLICT_PAUSE_MS = 50;
/** A table check is reused for this long: a refusal being isolated asks for it at every split. */
const TABLE_CHECK_REUSE_MS = 1000;

export function createBatchWriter<Row>(options: BatchWriterOptions<Row>): BatchWriter<Row> {
  return new UnitBatchWriter(options);
}

/**
 * The writer, read top to bottom: `addLater` queues a unit and `schedule`s; `startWriting` runs up to
 * `concurrency` `drain`s; each `drain` takes whole units (`takeBatch`) and `writeUnits` them in one
 * transaction, whose rows `batchOf` makes there, `writeRetrying` through outages and conflicts, and
 * halving around a refusal down to `writeUnitAlone` and `writeIsolating`.
 */
class UnitBatchWriter<Row> implements BatchWriter<Row> {
  readonly stats: BatchWriterStats = { inserted: 0, duplicates: 0, transactions: 0 };
  /** Units waiting for a transaction, oldest first, and what they hold in all. */
  private readonly pending: Array<Unit<Row>> = [];
  private pendingRows = 0;
  private pendingBytes = 0;
  /** The wait of a partial batch for more rows (`flushIntervalMs`). */
  private timer: NodeJS.Timeout | undefined;
  /** The drains running, at most `concurrency`. */
  private readonly writing = new Set<Promise<void>>();
  private readonly concurrency: number;
  private readonly maxBytes: number;
  private currentProblem: string | undefined;
  private tablesChecked: { at: number; problem: Promise<string | null> } | undefined;

  constructor(private readonly options: BatchWriterOptions<Row>) {
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
  }

  addLater(
    count: number,
    bytes: number,
    make: () => readonly Row[],
    replace?: RowReplacer<Row>,
  ): Promise<void> {
    if (count === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ make, replace, count, bytes, resolve, reject });
      this.pendingRows += count;
      this.pendingBytes += bytes;
      this.schedule();
    });
  }

  get problem(): string | undefined {
    return this.currentProblem;
  }

  async flush(): Promise<void> {
    while (this.pending.length > 0 || this.writing.size > 0) {
      this.startWriting();
      await Promise.all(this.writing);
    }
  }

  private full(): boolean {
    return this.pendingRows >= this.options.maxRows || this.pendingBytes >= this.maxBytes;
  }

  /** Writes at once when a batch is full; else waits `flushIntervalMs` for more, unless writing. */
  private schedule(): void {
    if (this.full()) this.startWriting();
    else if (this.writing.size === 0)
      this.timer ??= setTimeout(() => this.startWriting(), this.options.flushIntervalMs);
  }

  private startWriting(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // One more drain while there are rows nobody is writing and room for another transaction.
    while (
      this.writing.size < this.concurrency &&
      this.pending.length > 0 &&
      (this.writing.size === 0 || this.full())
    ) {
      const run: Promise<void> = this.drain().finally(() => {
        this.writing.delete(run);
        if (this.pending.length > 0) this.schedule();
      });
      this.writing.add(run);
    }
  }

  /** Writes batches while there are full ones (or, the first time, whatever is pending). */
  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.takeBatch();
      try {
        if (batch.length > 0) await this.writeUnits(batch);
      } catch (error) {
        // Not the database's answer (those are handled below) but a fault of this code: the units
        // are redelivered rather than lost, and the writer goes on.
        this.options.log.error(
          { table: this.options.name, error: messageOf(error) },
          'unexpected error while writing; redelivering',
        );
        for (const unit of batch) unit.reject(error instanceof Error ? error : new Error(String(error)));
      }
      if (this.pending.length > 0 && !this.full()) break;
    }
  }

  /** Takes whole units until the batch is full (a unit larger than the limit still goes alone). */
  private takeBatch(): Array<Unit<Row>> {
    const batch: Array<Unit<Row>> = [];
    let rows = 0;
    let bytes = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0] as Unit<Row>;
      if (
        batch.length > 0 &&
        (rows + next.count > this.options.maxRows || bytes + next.bytes > this.maxBytes)
      )
        break;
      this.pending.shift();
      rows += next.count;
      bytes += next.bytes;
      batch.push(next);
    }
    this.pendingRows -= rows;
    this.pendingBytes -= bytes;
    return batch;
  }

  /**
   * Writes the units in one transaction. When the database refuses a value, the units are halved
   * until the one at fault is alone, then its rows are (writeUnitAlone).
   */
  private async writeUnits(units: ReadonlyArray<Unit<Row>>): Promise<void> {
    const { batch, taken, rows, apart } = this.batchOf(units);
    let refusal: unknown;
    try {
      if (taken.length > 0) {
        await this.writeRetrying(batch, rows);
        for (const unit of taken) unit.resolve();
      }
    } catch (error) {
      refusal = error;
    } finally {
      batch.release();
    }
    if (refusal !== undefined) {
      if (taken.length > 1) {
        this.options.log.warn(
          { table: this.options.name, error: messageOf(refusal) },
          'database refused a value; finding the row at fault, the others are stored',
        );
        const half = Math.ceil(taken.length / 2);
        await this.writeUnits(taken.slice(0, half));
        await this.writeUnits(taken.slice(half));
      } else if (taken[0] !== undefined) await this.writeUnitAlone(taken[0], { error: refusal });
    }
    for (const unit of apart) await this.writeUnitAlone(unit);
  }

  /**
   * The units' rows in a new batch: here, as the transaction forms, each unit's `make` is called. A
   * unit whose rows cannot be made fails; one whose rows cannot be encoded is set `apart`, to be
   * written a row at a time, and the batch is made again without it (an encoder that threw may have
   * written part of the unit).
   */
  private batchOf(units: ReadonlyArray<Unit<Row>>): {
    batch: RowBatch<Row>;
    taken: Array<Unit<Row>>;
    rows: number;
    apart: Array<Unit<Row>>;
  } {
    const left = new Set<Unit<Row>>();
    const apart: Array<Unit<Row>> = [];
    for (;;) {
      const batch = this.options.begin();
      const taken: Array<Unit<Row>> = [];
      let rows = 0;
      let spoilt = false;
      for (const unit of units) {
        if (left.has(unit)) continue;
        let made: readonly Row[];
        try {
          made = unit.make();
        } catch (error) {
          this.unmade(unit, error);
          left.add(unit);
          continue;
        }
        try {
          // Added (encoded) a unit at a time, so that no more than one unit's row objects are alive.
          batch.add(made);
        } catch {
          left.add(unit);
          apart.push(unit);
          spoilt = true;
          break;
        }
        rows += made.length;
        taken.push(unit);
      }
      if (!spoilt) return { batch, taken, rows, apart };
      batch.release();
    }
  }

  /**
   * Writes one unit's rows apart from any other's; it fails only if one of its rows cannot be stored.
   * `refused`: the unit was just refused alone.
   */
  private async writeUnitAlone(unit: Unit<Row>, refused?: { readonly error: unknown }): Promise<void> {
    let rows: readonly Row[];
    try {
      rows = unit.make();
    } catch (error) {
      this.unmade(unit, error);
      return;
    }
    const unstored = await this.writeIsolating(rows, unit.replace, refused);
    if (unstored === undefined) unit.resolve();
    else {
      unit.reject(
        new PoisonMessageError(
          'LR_ROW_REFUSED',
          `${this.options.name}: the database refused a row: ${unstored}`,
        ),
      );
    }
  }

  /**
   * Writes `rows`, halving them around a refusal until the refused row is alone, which is then
   * written as `replace` says. Resolves with why a row could not be stored in any form, if one could not.
   */
  private async writeIsolating(
    rows: readonly Row[],
    replace: RowReplacer<Row> | undefined,
    refused?: { readonly error: unknown },
  ): Promise<string | undefined> {
    // `refused`: these very rows were just refused together; no need to try them again.
    const refusal = refused === undefined ? await this.tryRows(rows) : refused.error;
    if (refusal === undefined) return undefined;
    if (rows.length > 1) {
      const half = Math.ceil(rows.length / 2);
      const first = await this.writeIsolating(rows.slice(0, half), replace);
      const second = await this.writeIsolating(rows.slice(half), replace);
      return first ?? second;
    }
    const reason = messageOf(refusal);
    const instead = replace?.(rows[0] as Row, reason);
    if (instead === undefined) return reason;
    const again = await this.tryRows([instead]);
    return again === undefined ? undefined : `${reason}; then, in its other form: ${messageOf(again)}`;
  }

  /** Tries `rows` in one transaction: undefined when committed, else the refusal. */
  private async tryRows(rows: readonly Row[]): Promise<unknown> {
    const batch = this.options.begin();
    try {
      batch.add(rows);
      await this.writeRetrying(batch, rows.length);
      return undefined;
    } catch (error) {
      return error;
    } finally {
      batch.release();
    }
  }

  /** Fails a unit whose rows cannot be made: that is its message's fault, so it goes to data-dead. */
  private unmade(unit: Unit<Row>, error: unknown): void {
    unit.reject(
      error instanceof PoisonMessageError
        ? error
        : new PoisonMessageError(
            'LR_MESSAGE_UNPROCESSABLE',
            `${this.options.name}: the rows of the message could not be made: ${messageOf(error)}`,
            error,
          ),
    );
  }

  /**
   * Writes `batch`, retrying for as long as the database is away or refuses every write; throws only
   * a refusal of the rows' values, with the tables as expected.
   */
  private async writeRetrying(batch: RowBatch<Row>, rows: number): Promise<void> {
    const { log, name } = this.options;
    let conflicts = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        const startedAt = performance.now();
        const inserted = await batch.write();
        this.stats.inserted += inserted;
        this.stats.duplicates += rows - inserted;
        this.stats.transactions++;
        this.options.onCommit?.(rows, inserted, (performance.now() - startedAt) / 1000);
        if (this.currentProblem !== undefined) {
          this.currentProblem = undefined;
          log.info({ table: name }, 'database reachable again; writes resumed');
          this.options.onRecovered?.();
        }
        return;
      } catch (error) {
        if (isWriteConflict(error) && conflicts++ < CONFLICT_RETRIES) {
          log.debug({ table: name, error: messageOf(error) }, 'write conflict; writing the batch again');
          attempt--;
          await sleep(Math.random() * CONFLICT_PAUSE_MS);
          continue;
        }
        // What is wrong (`detail`, kept in `problem` with what it means), and the log's one line for
        // it, said once per outage.
        let detail = messageOf(error);
        let why: string;
        let said: string;
        if (isTransientDatabaseError(error)) {
          why = `database unavailable: ${detail}`;
          said = 'database unavailable; retrying with backoff';
        } else if (!isRowRefusal(error)) {
          why = `the database refuses writes: ${detail}`;
          said = 'database refuses writes; retrying with backoff';
        } else {
          const tables = await this.tableProblem();
          if (tables === null) throw error;
          detail = tables;
          why = `the database refuses rows because a table changed: ${tables}`;
          said = 'a table changed and the database refuses rows; retrying with backoff';
        }
        if (this.currentProblem === undefined) log.warn({ table: name, error: detail }, said);
        this.currentProblem = why;
        await sleep(Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  /** The tables' problem, if any; a failed check is the outage it reports. */
  private tableProblem(): Promise<string | null> {
    const { checkTables } = this.options;
    if (checkTables === undefined) return Promise.resolve(null);
    const now = performance.now();
    if (this.tablesChecked === undefined || now - this.tablesChecked.at > TABLE_CHECK_REUSE_MS) {
      this.tablesChecked = { at: now, problem: checkTables().catch((error: unknown) => messageOf(error)) };
    }
    return this.tablesChecked.problem;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
