/**
 * Retention as the commands run it: the options read once, a prune report in words, and the upkeep
 * of `consume` and `run`: hourly, the partitions ahead and `--keep` applied when given; every minute,
 * the hours' and days' top values bounded.
 */
import type { Logger } from '../telemetry/index.js';
import { UsageError } from '../errors.js';
import { compactTopValues, ensureDayPartitions, prune } from '../store/index.js';
import type { PruneReport, Store } from '../store/index.js';
import { DEFAULT_KEEP_ROLLUPS, durationOption } from './options.js';
import type { RetentionOptionValues } from './options.js';

export interface RetentionSettings {
  /** Lines are kept this long (ms); undefined: every line is kept. */
  readonly keepMs: number | undefined;
  readonly keepRollupsMs: number;
  /** How often the partitions ahead are added and `--keep` applied, in ms. */
  readonly intervalMs: number;
}

/**
 * How often the top values are compacted at most: an open hour gathers a minute of a busy site's
 * distinct values between two rounds, and every panel that reads the hour sums them.
 */
const COMPACTION_INTERVAL_MS = 60_000;

/** The retention options, checked (a bad one is one line and exit 2). */
export function retentionSettingsOf(values: RetentionOptionValues): RetentionSettings {
  const keepMs = durationOption('--keep', values.keep);
  const keepRollupsMs = durationOption('--keep-rollups', values.keepRollups ?? DEFAULT_KEEP_ROLLUPS) ?? 0;
  const intervalMs = Number(values.pruneIntervalMs ?? 3_600_000);
  if (!Number.isInteger(intervalMs) || intervalMs < 100) {
    throw new UsageError(
      'LR_USAGE',
      `--prune-interval-ms: expected a whole number of at least 100 (got "${values.pruneIntervalMs}")`,
    );
  }
  return { keepMs, keepRollupsMs, intervalMs };
}

const number = (value: number): string => value.toLocaleString('en-US');

/** What a prune removed (or would remove), a line per table, for people. */
export function pruneLinesOf(report: PruneReport): string[] {
  const verb = report.dryRun ? 'would remove' : 'removed';
  const lines = [
    `prune ${verb} the lines of the days before ${report.linesFrom} (UTC), and the untimed lines received before ${report.receivedFrom.toISOString()}`,
  ];
  for (const table of report.tables) {
    const days =
      table.days.length === 0
        ? 'no day'
        : `${table.days.length} day${table.days.length === 1 ? '' : 's'} (${table.days[0]}${
            table.days.length > 1 ? ` … ${table.days.at(-1)}` : ''
          }), about ${number(table.rowsEstimate)} rows`;
    const older = table.olderRowsDeleted > 0 ? `, ${number(table.olderRowsDeleted)} older rows` : '';
    const untimed = table.table === 'clean_log' ? '' : `; ${number(table.untimedDeleted)} untimed lines`;
    lines.push(`  ${table.table.padEnd(13)} ${days}${older}${untimed}`);
  }
  lines.push(
    `  ${'rollups'.padEnd(13)} ${report.dryRun ? 'before' : `${number(report.rollupRows)} rows before`} ${report.rollupsFrom.toISOString()}`,
  );
  return lines;
}

/** The report as one JSON-ready object. */
export function pruneJsonOf(report: PruneReport): Record<string, unknown> {
  return {
    dryRun: report.dryRun,
    linesFrom: report.linesFrom,
    receivedFrom: report.receivedFrom.toISOString(),
    rollupsFrom: report.rollupsFrom.toISOString(),
    tables: report.tables,
    rollupRows: report.rollupRows,
    partitionsAdded: report.partitionsAdded,
  };
}

/**
 * Once at start, then every minute (or every `intervalMs` when shorter): bounds the top values and,
 * when `intervalMs` has passed since it last did, adds the day partitions ahead and prunes when
 * `keepMs` is set, logging what went. A failure is tried again at the next round; it is a warning
 * the first time only, and the round that works again says so: a database away for an hour is one
 * warning, as it is from the writers, not sixty.
 */
export function startRetentionUpkeep(
  store: Store,
  settings: RetentionSettings,
  log: Logger,
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  let prunedAtMs = -Infinity;
  /** Rounds failed in a row. */
  let failures = 0;
  const once = async (): Promise<void> => {
    try {
      if (Date.now() - prunedAtMs >= settings.intervalMs) {
        await pruneIfAsked();
        prunedAtMs = Date.now();
      }
      const compacted = await compactTopValues(store.pool);
      if (compacted.folded > 0)
        log.debug(compacted, "folded the hours' and days' least requested top values");
      if (failures > 0) log.info({ failedRounds: failures }, 'retention upkeep works again');
      failures = 0;
    } catch (error) {
      failures += 1;
      log[failures === 1 ? 'warn' : 'debug'](
        { error: String(error), failedRounds: failures },
        'retention upkeep failed; it is tried again at the next round',
      );
    }
  };
  /** The partitions ahead; with --keep, a prune (which adds them too). */
  const pruneIfAsked = async (): Promise<void> => {
    if (settings.keepMs === undefined) {
      const added = await ensureDayPartitions(store.pool);
      if (added.length > 0) log.info({ added }, 'added the day partitions ahead');
      return;
    }
    const report = await prune(store.db, {
      keepMs: settings.keepMs,
      keepRollupsMs: settings.keepRollupsMs,
    });
    // The newest day before the horizon is emptied at every round (it stays, as the floor): alone
    // and empty, it is no news.
    const removed = report.tables.some(
      (table) =>
        table.days.length > 1 ||
        table.rowsEstimate > 0 ||
        table.untimedDeleted > 0 ||
        table.olderRowsDeleted > 0,
    );
    log[removed || report.rollupRows > 0 ? 'info' : 'debug'](
      {
        linesFrom: report.linesFrom,
        tables: report.tables.map((table) => ({
          table: table.table,
          days: table.days.length,
          rowsEstimate: table.rowsEstimate,
          untimed: table.untimedDeleted,
          older: table.olderRowsDeleted,
        })),
        rollupRows: report.rollupRows,
      },
      'pruned the lines older than --keep',
    );
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        round = once().finally(schedule);
      },
      Math.min(settings.intervalMs, COMPACTION_INTERVAL_MS),
    );
  };
  round = once().finally(schedule);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}
