/**
 * The whole promise under a storm of faults at once: lines flow the whole time (a writer appends to
 * a log that `produce --follow` follows, `consume` stores them), while a scheduler drawn from a seed
 * kills either process with SIGKILL, cuts RabbitMQ or MariaDB for a few seconds (TCP proxies in front
 * of both, for both processes), publishes poison, and rotates the log by rename or copytruncate, also
 * once and twice while the producer is down. The test acts as the supervisor (systemd): a process that
 * exits on its own is counted and started again. Then the writer stops, everything drains, and every
 * line of every generation must be stored exactly once; data-dead must hold the poison and nothing else.
 *
 * LOGRABBIT_CHAOS_MS sets how long the faults go on (default 30 s): every kind comes first, whatever
 * the time (the default seed's nine take about 28 s), then more drawn at random until the time is
 * up; set it higher for a soak. LOGRABBIT_CHAOS_SEED reproduces a run's schedule (timing apart).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'rabbitmq-client';
import { createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { runCli, waitFor } from '../helpers/cli.js';
import { killStarted, sleep, startLograbbit } from '../helpers/processes.js';
import type { LongRunning } from '../helpers/processes.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import type { TcpProxy } from '../helpers/tcp-proxy.js';
import { assertExactlyOnce, rawRowCount, storedLines } from '../helpers/stored-lines.js';
import { RotatingLogWriter } from '../helpers/log-writer.js';
import type { Rotation } from '../helpers/log-writer.js';
import { connectTestBroker, readDeadQueue } from '../helpers/broker-state.js';
import { encodeFrame, linesAt, uniqueStreamId } from '../helpers/frames.js';

const CHAOS_MS = Number(process.env.LOGRABBIT_CHAOS_MS ?? 30_000);
const SEED = Number(process.env.LOGRABBIT_CHAOS_SEED ?? 20_261_204);
const SOURCE = 'chaos.log';
/** Lines appended per tick of the writer, and the tick: a steady few hundred lines a second. */
const LINES_PER_TICK = 8;
const TICK_MS = 40;
const LINE_BATCH = 'application/vnd.lograbbit.lines.v1';

let services: TestServices;
let dir: string;
let rabbit: Connection;
let brokerProxy: TcpProxy;
let databaseProxy: TcpProxy;

before(async () => {
  services = await createTestServices('chaos');
  const setup = await runCli(['setup'], { env: services.env });
  assert.equal(setup.code, 0, setup.stderr);
  dir = await mkdtemp(join(tmpdir(), 'lograbbit-chaos-'));
  rabbit = await connectTestBroker(services);
  brokerProxy = await startTcpProxy(5672);
  databaseProxy = await startTcpProxy(3306);
});

after(async () => {
  await killStarted();
  await brokerProxy?.close();
  await databaseProxy?.close();
  await rabbit?.close();
  await services?.teardown();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** mulberry32: a small seeded generator, so that a seed names one schedule. */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

type Fault =
  | { readonly kind: 'kill-consumer' }
  | { readonly kind: 'kill-producer'; readonly rotationsWhileDown: readonly Rotation[] }
  | { readonly kind: 'cut-broker'; readonly ms: number }
  | { readonly kind: 'cut-database'; readonly ms: number }
  | { readonly kind: 'poison' }
  | { readonly kind: 'rotate'; readonly how: Rotation };

/**
 * A process the test keeps running, as a supervisor would: `kill` is a fault the test made; an exit
 * the test did not ask for is counted (with the end of its output) and the process is started again.
 */
class Supervised {
  private current: LongRunning;
  /** Processes the test itself killed or stopped: their exit is no surprise. */
  private readonly ended = new WeakSet<LongRunning>();
  readonly unexpectedExits: string[] = [];
  /** Runs that could not reach a service at start-up (exit 3) and were started again. */
  startupRefusals = 0;
  /** How each run of it ended, with the end of its log: printed when the test fails. */
  readonly history: string[] = [];
  private runs = 0;

  constructor(
    readonly name: string,
    private readonly start: () => LongRunning,
  ) {
    this.current = this.watch(start());
  }

  async kill(): Promise<void> {
    this.ended.add(this.current);
    this.current.kill('SIGKILL');
    await this.current.exited;
  }

  restart(): void {
    this.current = this.watch(this.start());
  }

  /** Stops it for good with SIGTERM; its exit. */
  async stop(): Promise<{ code: number | null; stderr: string }> {
    this.ended.add(this.current);
    return this.current.stop('SIGTERM', 30_000);
  }

  private watch(running: LongRunning): LongRunning {
    const run = ++this.runs;
    void running.exited.then(async (exit) => {
      this.history.push(
        `${this.name} run ${run}: code ${exit.code}, signal ${exit.signal}\n${exit.stderr.slice(-1500)}`,
      );
      if (this.ended.has(running) || running !== this.current) return;
      // Started while a fault kept a service away, it gives up after its connect timeout with exit 3,
      // as documented; systemd's Restart=on-failure starts it again (deploy/lograbbit.service).
      if (exit.code === 3 && /cannot connect to (the database|RabbitMQ)/.test(exit.stderr)) {
        this.startupRefusals++;
      } else {
        this.unexpectedExits.push(
          `${this.name} exited (code ${exit.code}, signal ${exit.signal}): ${exit.stderr.slice(-600)}`,
        );
      }
      await sleep(500);
      if (!this.ended.has(running) && running === this.current) this.restart();
    });
    return running;
  }
}

/** The lines written and not in raw_log, as ranges of line numbers with the rotations around them. */
async function missingLines(writer: RotatingLogWriter): Promise<string> {
  const stored = new Set((await storedLines(services, SOURCE)).map((line) => line.toString()));
  const ranges: Array<[number, number]> = [];
  writer.lines.forEach((line, index) => {
    if (stored.has(line)) return;
    const last = ranges.at(-1);
    if (last && last[1] === index - 1) last[1] = index;
    else ranges.push([index, index]);
  });
  const rotationNear = (index: number): string => {
    const after = writer.rotations.findLastIndex((rotation) => rotation.afterLines <= index);
    return after === -1
      ? 'before any rotation'
      : `after rotation ${after + 1} (${writer.rotations[after]?.how})`;
  };
  return ranges
    .map(([from, to]) => `lines ${from}-${to} (${to - from + 1}, ${rotationNear(from)})`)
    .join('; ');
}

test('kills, outages, poison and rotations for a bounded time, then every line exactly once', async (context) => {
  context.diagnostic(`seed ${SEED}, ${CHAOS_MS} ms of faults (LOGRABBIT_CHAOS_SEED, LOGRABBIT_CHAOS_MS)`);
  const random = randomFrom(SEED);
  const between = (low: number, high: number): number => Math.floor(low + random() * (high - low));
  const logs = join(dir, 'logs');
  await mkdir(logs);
  const stateDir = join(dir, 'state');
  const writer = new RotatingLogWriter(join(logs, SOURCE), SEED);
  await writer.start(200);

  const env = {
    ...services.env,
    RABBIT_PORT: String(brokerProxy.port),
    DB_PORT: String(databaseProxy.port),
    // Outages and rotations are said at info, once each: the history printed on failure needs them.
    LOG_LEVEL: 'info',
  };
  const consumer = new Supervised('consume', () =>
    startLograbbit(
      ['consume', '--prefetch', '50', '--write-batch-rows', '500', '--no-geo', '--no-user-agent'],
      {
        env,
      },
    ),
  );
  const producer = new Supervised('produce --follow', () =>
    startLograbbit(
      [
        'produce',
        '--follow',
        writer.path,
        '--state-dir',
        stateDir,
        '--rotate-wait-ms',
        '1000',
        '--batch-lines',
        '20',
        '--publish-window',
        '8',
        '--no-progress',
      ],
      { env },
    ),
  );

  let writing = true;
  const written = (async () => {
    while (writing) {
      await writer.append(LINES_PER_TICK);
      await sleep(TICK_MS);
    }
  })();

  // Every kind of fault once, in an order drawn from the seed, then more drawn at random until the time is up.
  const rotation = (): Rotation => (random() < 0.5 ? 'rename' : 'copytruncate');
  const required: Fault[] = [
    { kind: 'kill-consumer' },
    { kind: 'kill-producer', rotationsWhileDown: [rotation()] },
    { kind: 'kill-producer', rotationsWhileDown: ['rename', 'copytruncate'] },
    { kind: 'kill-producer', rotationsWhileDown: ['copytruncate', 'rename'] },
    { kind: 'cut-broker', ms: between(2000, 5000) },
    { kind: 'cut-database', ms: between(2000, 5000) },
    { kind: 'poison' },
    { kind: 'rotate', how: 'rename' },
    { kind: 'rotate', how: 'copytruncate' },
  ];
  for (let index = required.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [required[index], required[other]] = [required[other] as Fault, required[index] as Fault];
  }
  const drawn = (): Fault => {
    const pick = random();
    if (pick < 0.15) return { kind: 'kill-consumer' };
    if (pick < 0.3) {
      const count = between(0, 3);
      return { kind: 'kill-producer', rotationsWhileDown: Array.from({ length: count }, rotation) };
    }
    if (pick < 0.45) return { kind: 'cut-broker', ms: between(2000, 5000) };
    if (pick < 0.6) return { kind: 'cut-database', ms: between(2000, 5000) };
    if (pick < 0.75) return { kind: 'poison' };
    return { kind: 'rotate', how: rotation() };
  };

  const poisonIds: string[] = [];
  const publishPoison = async (): Promise<void> => {
    const index = poisonIds.length;
    const publisher = rabbit.createPublisher({ confirm: true });
    // A well-framed message whose time is NaN, with one valid line; and a body that is no frame at all.
    const line = Buffer.from(
      `192.0.2.9 - - [01/Nov/2022:10:00:00 +0000] "GET /poison/${index} HTTP/1.1" 200 1`,
    );
    const frame = encodeFrame({
      source: Buffer.from(`poison-${index}.log`),
      streamId: uniqueStreamId(`chaos/${SEED}/poison/${index}`),
      readAtMs: NaN,
      lines: linesAt(0, [line]),
    });
    const garbage = Buffer.from(Array.from({ length: between(1, 200) }, () => between(0, 256)));
    for (const [suffix, body] of [
      ['nan', frame],
      ['garbage', garbage],
    ] as const) {
      const messageId = `poison-${index}-${suffix}`;
      await publisher.send(
        { exchange: 'weblogs', routingKey: 'log.poison', durable: true, messageId, contentType: LINE_BATCH },
        body,
      );
      poisonIds.push(messageId);
    }
    await publisher.close();
  };

  // The faults start once the producer has a checkpoint: a file it never read is not one it can be
  // asked to find again among the rotated ones.
  await waitFor('the first lines stored', async () => (await rawRowCount(services, SOURCE)) >= 200, 60_000);
  await waitFor(
    'a checkpoint written',
    async () => (await readdir(stateDir).catch(() => [])).length > 0,
    30_000,
  );

  const applied: string[] = [];
  const chaosEnds = Date.now() + CHAOS_MS;
  for (let index = 0; Date.now() < chaosEnds || index < required.length; index++) {
    const fault = required[index] ?? drawn();
    // With the lines written so far, to match lost lines to the faults around them.
    applied.push(`at line ${writer.lines.length}: ${JSON.stringify(fault)}`);
    switch (fault.kind) {
      case 'kill-consumer':
        await consumer.kill();
        await sleep(between(0, 1000));
        consumer.restart();
        break;
      case 'kill-producer':
        await producer.kill();
        for (const how of fault.rotationsWhileDown) {
          await sleep(between(200, 800));
          await writer.rotate(how);
        }
        await sleep(between(200, 800));
        producer.restart();
        break;
      case 'cut-broker':
        brokerProxy.cut();
        await sleep(fault.ms);
        brokerProxy.restore();
        break;
      case 'cut-database':
        databaseProxy.cut();
        await sleep(fault.ms);
        databaseProxy.restore();
        break;
      case 'poison':
        await publishPoison();
        break;
      case 'rotate':
        await writer.rotate(fault.how);
        break;
    }
    await sleep(between(1000, 3000));
  }
  writing = false;
  await written;
  await writer.settled();
  context.diagnostic(`${writer.lines.length} lines in ${writer.generations + 1} generations`);
  for (const fault of applied) context.diagnostic(fault);

  // Drained: every line written is in raw_log, or nothing more arrives for a while (lines were lost,
  // and the exact comparison below says how many).
  let last = -1;
  let still = 0;
  await waitFor(
    'every line stored, or no progress for 10 s',
    async () => {
      const rows = await rawRowCount(services, SOURCE);
      still = rows === last ? still + 1 : 0;
      last = rows;
      return rows >= writer.lines.length || still >= 100;
    },
    120_000,
  );
  const produced = await producer.stop();
  const consumed = await consumer.stop();
  // What the killed and crashed runs left in the queues; judged below, after the exits.
  const drained = await runCli(['consume', '--until-idle', '--no-geo', '--no-user-agent'], {
    env: services.env,
  });

  try {
    const exits = [...producer.unexpectedExits, ...consumer.unexpectedExits];
    assert.equal(
      exits.length,
      0,
      `seed ${SEED}: no process exits unless killed; the first of ${exits.length}:\n${exits.slice(0, 2).join('\n')}`,
    );
    assert.ok(
      drained.code === 0 || drained.code === 4,
      `consume --until-idle drains what is left:\n${drained.stderr.slice(-2000)}`,
    );
    assert.equal(
      produced.code,
      0,
      `produce --follow stops cleanly on SIGTERM:\n${produced.stderr.slice(-2000)}`,
    );
    assert.equal(consumed.code, 0, `consume stops cleanly on SIGTERM:\n${consumed.stderr.slice(-2000)}`);
    const missing = await missingLines(writer);
    assert.equal(missing, '', `seed ${SEED}: lines written and never stored`);
    await assertExactlyOnce(services, SOURCE, writer.lineBuffers);

    // Each poison message is in data-dead from both queues (more than once is allowed: a kill between
    // its move and its ack moves it again), and nothing else is there.
    const dead = await readDeadQueue(rabbit);
    const deadKeys = new Set(
      dead.map((letter) => `${letter.messageId} ${String(letter.headers['x-lograbbit-queue'])}`),
    );
    const expectedKeys = new Set(poisonIds.flatMap((id) => [`${id} data-lake`, `${id} data-clean`]));
    assert.deepEqual(
      [...deadKeys].sort(),
      [...expectedKeys].sort(),
      `seed ${SEED}: data-dead holds the poison only`,
    );
  } catch (error) {
    for (const entry of [...producer.history, ...consumer.history]) context.diagnostic(entry);
    throw error;
  }
});
