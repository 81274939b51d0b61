/** `lograbbit prune --keep <duration>`: removes the lines older than that, whole days at a time. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { prune } from '../store/index.js';
import { createContext, openDatabase } from './context.js';
import type { GlobalOptions } from './context.js';
import { addRetentionOptions } from './options.js';
import type { RetentionOptionValues } from './options.js';
import { pruneJsonOf, pruneLinesOf, retentionSettingsOf } from './retention-parts.js';

type PruneCommandOptions = RetentionOptionValues & {
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly setup: boolean;
};

export function registerPruneCommand(program: Command, globals: () => GlobalOptions): void {
  addRetentionOptions(
    program
      .command('prune')
      .description(
        'remove the lines (raw_log, clean_log, rejected_log) older than --keep: whole UTC days, dropped at once',
      ),
    true,
  )
    .option('--dry-run', 'say what would be removed, and remove nothing')
    .option('--no-setup', 'do not migrate the database first')
    .option('--json', 'print what was removed as one JSON object')
    .action((options: PruneCommandOptions) => pruneCommand(globals(), options));
}

async function pruneCommand(globals: GlobalOptions, options: PruneCommandOptions): Promise<void> {
  if (options.keep === undefined) {
    throw new UsageError(
      'LR_USAGE',
      '--keep: required, such as --keep 14d (lines older than that are removed)',
    );
  }
  const settings = retentionSettingsOf(options);
  const context = createContext(globals);
  const store = await openDatabase(context, options.setup);
  try {
    const report = await prune(store.db, {
      keepMs: settings.keepMs ?? 0,
      keepRollupsMs: settings.keepRollupsMs,
      dryRun: options.dryRun === true,
    });
    process.stdout.write(
      options.json ? `${JSON.stringify(pruneJsonOf(report))}\n` : `${pruneLinesOf(report).join('\n')}\n`,
    );
  } finally {
    await store.close();
  }
}
