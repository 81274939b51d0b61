/**
 * `lograbbit stats`: one screen of the pipeline's state — queue depths, table sizes, the lines the
 * rollups counted, how far back lines and rollups go, the last minute's throughput, the last day's
 * rejects by reason class — once, or refreshed with `--watch` (rates are then the change since the
 * previous refresh). `--json` prints one object per refresh. The figures: `stats-snapshot.ts`.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { ReadLag } from '../store/index.js';
import { terminalSafe } from '../telemetry/index.js';
import { createContext, openBroker, openReadDatabase } from './context.js';
import type { GlobalOptions } from './context.js';
import { snapshotOf } from './stats-snapshot.js';
import type { StatsSnapshot } from './stats-snapshot.js';

interface StatsOptions {
  readonly json?: boolean;
  readonly watch?: boolean | string;
  readonly count?: string;
}

export function registerStatsCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('stats')
    .description(
      'queue depths, table sizes, lines counted, history, rejects and the last minute, on one screen',
    )
    .option('--json', 'one JSON object (per refresh) on stdout')
    .option('--watch [seconds]', 'refresh every so many seconds (2 by default) until Ctrl-C')
    .option('--count <n>', 'with --watch: stop after this many refreshes')
    .action((options: StatsOptions) => stats(globals(), options));
}

function intervalOf(watch: StatsOptions['watch']): number | undefined {
  if (watch === undefined || watch === false) return undefined;
  if (watch === true) return 2;
  const seconds = Number(watch);
  if (!Number.isFinite(seconds) || seconds < 0.2 || seconds > 3600) {
    throw new UsageError('LR_USAGE', `--watch: expected seconds from 0.2 to 3600 (got "${watch}")`);
  }
  return seconds;
}

function countOf(count: string | undefined): number {
  if (count === undefined) return Number.POSITIVE_INFINITY;
  const n = Number(count);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError('LR_USAGE', `--count: expected a whole number of at least 1 (got "${count}")`);
  return n;
}

async function stats(globals: GlobalOptions, options: StatsOptions): Promise<void> {
  const interval = intervalOf(options.watch);
  const refreshes = interval === undefined ? 1 : countOf(options.count);
  const context = createContext(globals);
  const store = await openReadDatabase(context, false);
  try {
    const broker = await openBroker(context, 'stats');
    try {
      const services = {
        broker,
        store,
        brokerAddress: context.config.rabbit.address,
        databaseAddress: (context.config.dbRead ?? context.config.db).address,
      };
      let previous: { snapshot: StatsSnapshot; t: number } | undefined;
      for (let done = 0; done < refreshes && !context.signal.aborted; done++) {
        if (done > 0) await sleep((interval ?? 0) * 1000, context.signal);
        if (context.signal.aborted) break;
        const t = Date.now();
        const snapshot = await snapshotOf(services, previous, t);
        previous = { snapshot, t };
        // The reject examples quote log lines: JSON escapes their C0 controls, not C1 or bidi ones.
        if (options.json) process.stdout.write(`${terminalSafe(JSON.stringify(snapshot))}\n`);
        else {
          if (interval !== undefined && process.stdout.isTTY) process.stdout.write('\x1b[H\x1b[2J');
          else if (done > 0) process.stdout.write('\n');
          process.stdout.write(render(snapshot, interval));
        }
      }
    } finally {
      await broker.close();
    }
  } finally {
    await store.close();
  }
}

/** The screen: aligned columns, numbers with separators. */
/** `(replica, 4 s behind)`, `(Galera node, 12 write sets to apply)`; nothing for a primary. */
function lagOf(lag: ReadLag | null): string {
  if (lag === null) return '';
  if (lag.kind === 'galera') return ` (Galera node, ${lag.receiveQueue} write sets to apply)`;
  if (!lag.running || lag.secondsBehind === null) return ' (replica, replication stopped)';
  return ` (replica, ${lag.secondsBehind} s behind)`;
}

export function render(snapshot: StatsSnapshot, interval: number | undefined): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  const perSecond = (value: number | null): string =>
    value === null ? '' : `${value > 0 ? '+' : ''}${n(value)}/s`;
  const lines: string[] = [];
  lines.push(
    `lograbbit stats  ${snapshot.at.replace('T', ' ').slice(0, 19)} UTC${interval === undefined ? '' : `  (every ${interval} s; Ctrl-C to stop)`}`,
  );
  lines.push(`  broker ${snapshot.broker}   database ${snapshot.database}${lagOf(snapshot.readLag)}`, '');
  lines.push('  queue          ready  consumers  change');
  for (const queue of snapshot.queues) {
    lines.push(
      `  ${queue.queue.padEnd(12)} ${n(queue.ready).padStart(7)}  ${String(queue.consumers).padStart(9)}  ${perSecond(queue.perSecond)}`,
    );
  }
  if (snapshot.queues.length === 0) lines.push('  (no queues: run `lograbbit setup`)');
  lines.push('', '  table               rows  change');
  for (const [table, { rows, exact, perSecond: rate }] of Object.entries(snapshot.tables)) {
    lines.push(`  ${table.padEnd(13)} ${`${exact ? '' : '~'}${n(rows)}`.padStart(11)}  ${perSecond(rate)}`);
  }
  if (Object.values(snapshot.tables).some((table) => !table.exact)) {
    lines.push("  (~ InnoDB's estimate, which may be off by tens of per cent)");
  }
  lines.push(
    snapshot.counted.lines === null
      ? '  parsed lines counted: no rollups in this database yet (run `lograbbit setup`)'
      : `  parsed lines counted ${n(snapshot.counted.lines)}  ${perSecond(snapshot.counted.perSecond)}  (rollups, all time)`,
  );
  const day = (iso: string | null): string =>
    iso === null ? 'none' : `${iso.replace('T', ' ').slice(0, 16)} UTC`;
  const { history } = snapshot;
  lines.push(
    '',
    `  lines from    ${day(history.linesFrom)}   rollups from ${day(history.rollupsFrom)}   rollups updated ${day(history.rollupsUpdated)}`,
  );
  const minute = snapshot.lastMinute;
  lines.push(
    '',
    `  last minute  ${n(minute.linesRead)} lines read and stored (${n(minute.linesPerSecond)}/s), ${n(minute.rejected)} rejected`,
  );
  lines.push(
    '',
    snapshot.rejects.length === 0 ? '  rejects      none in the last 24 h' : '  rejects by reason, last 24 h',
  );
  for (const reject of snapshot.rejects.slice(0, 10)) {
    lines.push(
      `  ${reject.reason.padEnd(18)} ${n(reject.lines).padStart(9)}  e.g. ${terminalSafe(reject.example.slice(0, 70))}`,
    );
  }
  return `${lines.map((line) => line.trimEnd()).join('\n')}\n`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
