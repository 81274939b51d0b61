/** The end-of-command report: a few aligned lines for people, or one JSON object for scripts. */
import type { ConsumeCounts, ProduceCounts, RunningConsumers } from '../pipeline/index.js';
import { terminalSafe } from '../telemetry/index.js';

export interface RunReport {
  readonly command: string;
  readonly inputs: number;
  readonly seconds: number;
  readonly interrupted: boolean;
  readonly produced?: Readonly<ProduceCounts>;
  /** What this process's consumers did (with lines of any producer sharing the queues). */
  readonly consumed?: RunningConsumers;
  /** Where the lines read are, whoever consumed them (`ingest`, unless interrupted). */
  readonly storedLines?: StoredLinesReport;
  /** Inputs most of whose lines were rejected, each with the likely cause. */
  readonly mostlyRejected?: readonly MostlyRejectedInput[];
}

export interface StoredLinesReport {
  /** True when every line read is in raw_log and in clean_log or rejected_log. */
  readonly all: boolean;
  readonly lines: number;
  readonly raw: number;
  readonly clean: number;
  readonly rejected: number;
}

export interface MostlyRejectedInput {
  readonly input: string;
  readonly lines: number;
  readonly rejected: number;
  readonly likelyCause: string;
}

export function reportOf(report: RunReport): Record<string, unknown> {
  const { produced, consumed } = report;
  const lines = produced?.lines ?? (consumed ? consumed.counts.raw : 0);
  return {
    command: report.command,
    interrupted: report.interrupted,
    seconds: round(report.seconds, 3),
    linesPerSecond: Math.round(lines / Math.max(report.seconds, 0.001)),
    ...(produced && {
      inputs: report.inputs,
      read: {
        lines: produced.lines,
        blank: produced.blank,
        truncated: produced.truncated,
        bytes: produced.bytes,
      },
      published: { lines: produced.confirmed, messages: produced.messages },
    }),
    ...(consumed && {
      stored: storedOf(consumed.counts, consumed),
    }),
    ...(report.storedLines && { storedLines: report.storedLines }),
    ...(report.mostlyRejected && { mostlyRejected: report.mostlyRejected }),
  };
}

function storedOf(counts: Readonly<ConsumeCounts>, consumed: RunningConsumers): Record<string, unknown> {
  const stored = consumed.stored();
  return {
    raw: {
      lines: counts.raw,
      newRows: stored.raw.inserted,
      alreadyStored: stored.raw.duplicates,
    },
    clean: {
      parsed: counts.parsed,
      rejected: counts.rejected,
      newRows: stored.cleanOrRejected.inserted,
      alreadyStored: stored.cleanOrRejected.duplicates,
    },
    deadMessages: counts.dead,
  };
}

/** Prints the report: JSON on one line, or aligned lines for a person. */
export function printReport(
  report: RunReport,
  json: boolean,
  out: NodeJS.WritableStream = process.stdout,
): void {
  if (json) {
    out.write(`${JSON.stringify(reportOf(report))}\n`);
    return;
  }
  const { produced, consumed } = report;
  const n = (value: number): string => value.toLocaleString('en-US');
  const rows: Array<[string, string]> = [];
  if (produced) {
    rows.push([
      'read',
      `${n(produced.lines)} lines from ${report.inputs} input${report.inputs === 1 ? '' : 's'} (${n(produced.blank)} blank skipped, ${n(produced.truncated)} cut at the maximum line length)`,
    ]);
    rows.push([
      'published',
      `${n(produced.confirmed)} lines in ${n(produced.messages)} messages, all confirmed by RabbitMQ`,
    ]);
  }
  const { storedLines } = report;
  if (storedLines) {
    const where = `${n(storedLines.clean)} in clean_log, ${n(storedLines.rejected)} in rejected_log`;
    rows.push([
      'stored',
      storedLines.all
        ? `all ${n(storedLines.lines)} lines, by this process or another consumer: ${where}`
        : `${n(storedLines.raw)} of ${n(storedLines.lines)} lines in raw_log (${where}); the others are queued, held by another consumer, or in data-dead (lograbbit dead list)`,
    ]);
  }
  if (consumed) {
    const { counts } = consumed;
    const { raw, cleanOrRejected } = consumed.stored();
    rows.push([
      'raw_log',
      `${n(counts.raw)} lines stored by this process: ${n(raw.inserted)} new rows, ${n(raw.duplicates)} already stored`,
    ]);
    rows.push([
      'clean_log',
      `${n(counts.parsed)} lines parsed; rejected_log: ${n(counts.rejected)} lines (${n(cleanOrRejected.inserted)} new rows, ${n(cleanOrRejected.duplicates)} already stored)`,
    ]);
    if (counts.dead > 0)
      rows.push([
        'data-dead',
        `${n(counts.dead)} messages moved to the data-dead queue (reason in their x-lograbbit-reason header)`,
      ]);
  }
  for (const input of report.mostlyRejected ?? []) {
    const share = Math.round((100 * input.rejected) / Math.max(1, input.lines));
    rows.push([
      'warning',
      `${terminalSafe(input.input)}: ${n(input.rejected)} of ${n(input.lines)} lines rejected (${share}%): ${input.likelyCause}`,
    ]);
  }
  const lines = produced?.lines ?? consumed?.counts.raw ?? 0;
  const rate = Math.round(lines / Math.max(report.seconds, 0.001));
  const status = report.interrupted ? 'interrupted' : 'done';
  out.write(`lograbbit ${report.command} ${status} in ${report.seconds.toFixed(1)} s (${n(rate)} lines/s)\n`);
  for (const [label, text] of rows) out.write(`  ${label.padEnd(10)} ${text}\n`);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
