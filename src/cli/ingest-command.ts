/**
 * `lograbbit ingest <file or directory…>`: produce and consume in one process, until every line is
 * stored (by its own consumers or by others sharing the queues: the tables are asked, by event id),
 * then a summary that names the inputs most of whose lines were rejected.
 */
import type { Command } from 'commander';
import { DeadLetteredError } from '../errors.js';
import { trackStoredLines, waitUntilDrained, waitUntilStored } from '../pipeline/index.js';
import type { StoredLines } from '../pipeline/index.js';
import { expandDirectories } from '../sources/index.js';
import type { Source } from '../sources/index.js';
import { sampleRejected } from '../store/index.js';
import type { Database } from '../store/index.js';
import { withCleanups } from './cleanups.js';
import { createContext, formatOption } from './context.js';
import type { GlobalOptions } from './context.js';
import { inputsOf } from './inputs.js';
import {
  addCommonOptions,
  addConsumeOptions,
  addProduceOptions,
  consumeTuning,
  produceTuning,
} from './options.js';
import type { CommonOptionValues, ConsumeOptionValues, ProduceOptionValues } from './options.js';
import { inputsToPublish } from './pipeline-parts.js';
import { startPipeline } from './start-pipeline.js';
import { isMostlyRejected, likelyCauseOf } from './rejected-inputs.js';
import { printReport } from './summary.js';
import type { MostlyRejectedInput, StoredLinesReport } from './summary.js';

/**
 * How long ingest waits, its own queues drained, while none of its lines is newly stored (another
 * consumer holds them, through an outage it retries), in ms.
 */
const STORED_PATIENCE_MS = 30_000;
/** Inputs whose rejects are looked at, at most, and rejected lines sampled from each. */
const DIAGNOSED_INPUTS = 20;
const SAMPLED_REJECTS = 50;

type IngestCommandOptions = ProduceOptionValues & ConsumeOptionValues & CommonOptionValues;

export function registerIngestCommand(program: Command, globals: () => GlobalOptions): void {
  addCommonOptions(
    addConsumeOptions(
      addProduceOptions(
        program
          .command('ingest')
          .description('produce and consume in one process: every line of the files, stored, then a summary')
          .argument(
            '<files...>',
            'access log files or directories (each file in it, by name; not hidden, compressed or in subdirectories), or - for standard input',
          ),
      ),
    ),
  ).action((files: string[], options: IngestCommandOptions) => ingest(files, globals(), options));
}

async function ingest(
  paths: readonly string[],
  globals: GlobalOptions,
  options: IngestCommandOptions,
): Promise<void> {
  const inputs = inputsOf(expandDirectories(paths), options.source);
  const format = formatOption(options.format, options);
  const context = createContext(globals, { ...produceTuning(options), ...consumeTuning(options) });
  await withCleanups(context.log, async (resources) => {
    const published = trackStoredLines<Source>({ keepRanges: true });
    const reading = inputsToPublish(context, inputs, {
      progress: options.progress && options.json !== true,
      onPublished: (source, batch) => published.add(source, batch),
    });
    const { store, broker, consumers, stopConsumers, publishing, startedAt } = await startPipeline(
      context,
      resources,
      {
        connection: 'ingest',
        setup: options.setup,
        consume: { roles: ['raw', 'clean'], format, enrich: options },
        publish: reading,
      },
    );
    const produced = await publishing.done.finally(reading.clearProgress);
    let allStored: boolean | undefined;
    if (!context.signal.aborted) {
      await waitUntilDrained(broker, consumers, { signal: context.signal });
      allStored = await waitUntilStored(store.db, published, {
        patienceMs: STORED_PATIENCE_MS,
        // Its own consumers dead-lettered a message and have nothing left: those lines never come.
        hopeless: () => consumers.counts.dead > 0,
        signal: context.signal,
      });
    }
    await stopConsumers();
    const whereStored =
      allStored === undefined ? undefined : await whereStoredOf(store.db, published, allStored);
    printReport(
      {
        command: 'ingest',
        inputs: inputs.length,
        seconds: (performance.now() - startedAt) / 1000,
        interrupted: context.signal.aborted,
        produced,
        consumed: consumers,
        ...whereStored,
      },
      options.json === true,
    );
    if (consumers.counts.dead > 0) throw new DeadLetteredError(consumers.counts.dead);
  });
}

/** Where the lines of the inputs are, over all inputs, and the inputs most of whose lines were rejected. */
async function whereStoredOf(
  db: Database,
  published: StoredLines<Source>,
  all: boolean,
): Promise<{ storedLines: StoredLinesReport; mostlyRejected: MostlyRejectedInput[] }> {
  const storedLines = { all, lines: 0, raw: 0, clean: 0, rejected: 0 };
  const mostlyRejected: MostlyRejectedInput[] = [];
  for (const [source, lines] of published.inputs()) {
    storedLines.lines += lines.lines;
    storedLines.raw += lines.raw;
    storedLines.clean += lines.clean;
    storedLines.rejected += lines.rejected;
    if (!isMostlyRejected(lines.lines, lines.rejected)) continue;
    const sample = [];
    if (mostlyRejected.length >= DIAGNOSED_INPUTS) {
      mostlyRejected.push({
        input: source.name,
        lines: lines.lines,
        rejected: lines.rejected,
        likelyCause: `not looked at (only the first ${DIAGNOSED_INPUTS} such inputs are)`,
      });
      continue;
    }
    for (const range of lines.ranges) {
      if (sample.length >= SAMPLED_REJECTS) break;
      sample.push(...(await sampleRejected(db, range, SAMPLED_REJECTS - sample.length)));
    }
    mostlyRejected.push({
      input: source.name,
      lines: lines.lines,
      rejected: lines.rejected,
      likelyCause: likelyCauseOf(sample),
    });
  }
  return { storedLines, mostlyRejected };
}
