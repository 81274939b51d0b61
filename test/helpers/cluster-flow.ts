/**
 * Lines flowing through real processes while a test breaks a cluster under them: a log file growing
 * at a steady rate until the test says stop, a producer following it and one or more consumers, each
 * given its own broker and database nodes; when a line written after a fault was stored, and when a
 * process logged something, to measure a recovery.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { waitFor } from './cli.js';
import { RotatingLogWriter } from './log-writer.js';
import { sleep, startLograbbit } from './processes.js';
import type { LongRunning } from './processes.js';
import type { TestServices } from './services.js';
import { rawRowCount, storedCounts } from './stored-lines.js';

export interface FlowOptions {
  /** The source name, also the log file's and the producer's state directory's name under `root`. */
  readonly source: string;
  readonly root: string;
  /** Added to the services' environment for the producer (none by default). */
  readonly producerEnv?: Record<string, string>;
  /** Added for each consumer, one per entry (one consumer with nothing added by default). */
  readonly consumerEnvs?: ReadonlyArray<Record<string, string>>;
  readonly consumerOptions?: readonly string[];
  /** Lines appended every 100 ms (100 by default), until `finish` or `maxLines` (60,000 by default). */
  readonly linesPerTick?: number;
  readonly maxLines?: number;
  /** What else a failed wait should say (the broker's queues and channels, say). */
  readonly explain?: () => Promise<string>;
}

export interface Flow {
  readonly source: string;
  readonly writer: RotatingLogWriter;
  readonly producer: LongRunning;
  readonly consumers: readonly LongRunning[];
  /** Fails when a process exited. */
  check(): void;
  /** Polls `condition` until true, failing when a process exited or after `timeoutMs`. */
  until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs?: number): Promise<void>;
  /** Resolves with the ms from `since` until a line written after this call was stored. */
  flowingAgain(since: number, timeoutMs?: number): Promise<number>;
  /** Stops the lines, waits until every one is stored, stops the processes; the consumers' reports. */
  finish(timeoutMs?: number): Promise<string[]>;
  /** Kills what still runs: a failed test leaves nothing to consume the next test's lines. */
  kill(): Promise<void>;
}

export function startFlow(services: TestServices, options: FlowOptions): Flow {
  const { source, root } = options;
  const writer = new RotatingLogWriter(join(root, `${source}.log`), 16);
  const env = { ...services.env, LOG_LEVEL: 'info' };
  const consumers = (options.consumerEnvs ?? [{}]).map((extra) =>
    startLograbbit(['consume', '--json', ...(options.consumerOptions ?? [])], { env: { ...env, ...extra } }),
  );
  const producer = startLograbbit(
    [
      'produce',
      '--follow',
      writer.path,
      '--source',
      source,
      '--state-dir',
      join(root, source),
      '--no-progress',
    ],
    { env: { ...env, ...options.producerEnv } },
  );
  const named = [
    ['producer', producer] as const,
    ...consumers.map((c, i) => [`consumer ${i + 1}`, c] as const),
  ];
  const gone: string[] = [];
  for (const [name, process] of named) {
    void process.exited.then((exit) =>
      gone.push(`${name} exited (${exit.code ?? exit.signal}): ${exit.stderr}`),
    );
  }
  const check = (): void => assert.deepEqual(gone, []);
  /** What each process said last: why lines stopped flowing, when they did. */
  const tails = (): string =>
    named
      .map(([name, process]) => `--- ${name}\n${process.stderr().split('\n').slice(-12).join('\n')}`)
      .join('\n');
  const until = (
    what: string,
    condition: () => Promise<boolean> | boolean,
    timeoutMs = 90_000,
  ): Promise<void> =>
    waitFor(
      what,
      () => {
        check();
        return condition();
      },
      timeoutMs,
    ).catch(async (error: unknown) => {
      const more = (await options.explain?.().catch((why: unknown) => `(${String(why)})`)) ?? '';
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tails()}\n${more}`, {
        cause: error,
      });
    });
  const maxLines = options.maxLines ?? 60_000;
  let appendingStopped = false;
  const appending = (async () => {
    await writer.start(2000);
    while (!appendingStopped && writer.lines.length < maxLines) {
      await writer.append(Math.min(options.linesPerTick ?? 100, maxLines - writer.lines.length));
      await sleep(100);
    }
  })();
  return {
    source,
    writer,
    producer,
    consumers,
    check,
    until,
    async flowingAgain(since, timeoutMs = 90_000) {
      const written = writer.lines.length;
      // Every line is stored once at most: more rows than lines written before means a newer one is in.
      await until(
        'a line written after the fault stored',
        async () => (await rawRowCount(services, source)) > written,
        timeoutMs,
      );
      return Date.now() - since;
    },
    async finish(timeoutMs = 90_000) {
      appendingStopped = true;
      await appending;
      const appended = performance.now();
      await until(
        'every line stored',
        async () => {
          const counts = await storedCounts(services, source);
          return counts.raw === writer.lines.length && counts.clean + counts.rejected === writer.lines.length;
        },
        timeoutMs,
      );
      check();
      console.log(
        `# ${source}: ${writer.lines.length} lines, the last stored ${Math.round(performance.now() - appended)} ms after it was written`,
      );
      await producer.stop('SIGTERM');
      const exits = await Promise.all(consumers.map((process) => process.stop('SIGTERM')));
      return exits.map((exit) => exit.stdout);
    },
    async kill() {
      appendingStopped = true;
      await Promise.all([producer, ...consumers].map((process) => process.stop('SIGKILL', 5000)));
    },
  };
}

/** When `process` first logged `message` at or after `since` (its pino time, ms since the epoch). */
export function loggedAt(process: LongRunning, message: string, since = 0): number | undefined {
  for (const line of process.stderr().split('\n')) {
    if (!line.includes(message)) continue;
    const time = Date.parse((JSON.parse(line) as { time: string }).time);
    if (time >= since) return time;
  }
  return undefined;
}
