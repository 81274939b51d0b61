/**
 * The consumer's side of the promise, as a property: whatever a message holds, one long-running
 * `consume` stores it whole or moves it to data-dead alone, and never exits. fast-check generates
 * well-formed frames (hostile lines, odd values), mutations of them (bit flips, truncation, NaN and
 * other impossible times, wrong counts, duplicate and unsafe offsets, trailing bytes, wrong magic,
 * foreign content types) and foreign bodies, with canary messages in between whose lines must all be
 * stored. The messages are published straight to the exchange both work queues are bound to.
 *
 * The judge is the wire format (test/helpers/frames.ts), not the product's codec: a body whose
 * structure is whole may be stored (every line, byte for byte, in raw_log and in exactly one of
 * clean_log and rejected_log) or refused as a whole (in data-dead once per queue, with its reason);
 * a body whose structure is broken can only be refused. An unmutated frame must be stored.
 *
 * Reproduce a failure with LOGRABBIT_PROPERTY_SEED=<the seed printed>.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Connection } from 'rabbitmq-client';
import type { RowDataPacket } from 'mysql2/promise';
import { createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { REPO_ROOT, runCli, startCli } from '../helpers/cli.js';
import type { CliResult, RunningCli } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import {
  encodeFrame,
  eventIdHexOf,
  linesAt,
  readAtOffsetOf,
  storableFrameOf,
  uniqueStreamId,
} from '../helpers/frames.js';
import type { Frame, FrameLine } from '../helpers/frames.js';
import {
  brokerDeathReasonOf,
  connectTestBroker,
  readDeadQueue,
  waitUntilConsumerSettled,
} from '../helpers/broker-state.js';

const SEED = Number(process.env.LOGRABBIT_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Messages per run: enough for every kind of mutation to come up, few enough for ~30 s. */
const MESSAGES = Number(process.env.LOGRABBIT_PROPERTY_MESSAGES ?? 160);
/** The content type the producer gives its frames: a contract with other tools. */
const LINE_BATCH = 'application/vnd.lograbbit.lines.v1';
const ROUTING_KEY = 'log.property';
const WORK_QUEUES = ['data-lake', 'data-clean'] as const;

let services: TestServices;
let rabbit: Connection;
/** Lines whose values overflow a column (issue 19, 2): data, to be stored or rejected, never lost. */
let overflowingLines: Buffer[];

before(async () => {
  services = await createTestServices('frames');
  const setup = await runCli(['setup'], { env: services.env });
  assert.equal(setup.code, 0, setup.stderr);
  rabbit = await connectTestBroker(services);
  const firstLineOf = async (format: string): Promise<string> =>
    (await readFile(join(REPO_ROOT, 'test/fixtures/formats', `${format}.log`), 'utf8')).split('\n')[0] ?? '';
  const digits = '9'.repeat(400);
  overflowingLines = [
    (await firstLineOf('traefik')).replace(/ \d+ms$/, ` ${digits}ms`),
    (await firstLineOf('caddy')).replace(/"duration":[0-9.e-]+/, '"duration":1e308'),
    (await firstLineOf('alb')).replace(' 0.001 ', ` ${digits} `),
    `127.0.0.1 - - [01/Nov/2022:00:00:00 +0000] "GET /big HTTP/1.1" 200 ${digits}`,
  ].map((line) => Buffer.from(line));
});

after(async () => {
  await rabbit?.close();
  await services?.teardown();
});

type Kind = 'canary' | 'valid' | 'mutated' | 'foreign';

/** One message to publish, and what the test knows of it. */
interface Sent {
  readonly messageId: string;
  readonly kind: Kind;
  /** What was done to it, for the failure message. */
  readonly what: string;
  readonly body: Buffer;
  readonly contentType: string | undefined;
}

/** A well-formed frame before its stream id is given (unique per message, so no two share an event). */
interface FrameDraft {
  readonly source: Buffer;
  readonly readAtMs: number;
  readonly lines: readonly FrameLine[];
}

const combinedLine = fc
  .record({ ip: fc.nat(255), path: fc.string({ maxLength: 30 }), status: fc.nat(999), size: fc.nat() })
  .map(
    ({ ip, path, status, size }) =>
      `203.0.113.${ip} - - [01/Nov/2022:10:00:00 +0000] "GET /${encodeURIComponent(path)} HTTP/1.1" ${status} ${size}`,
  );

const hostileLine: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  combinedLine.map((line) => Buffer.from(line)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }).map((text) => Buffer.from(text)),
  fc.constantFrom(
    Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xf0, 0x28, 0x8c, 0xbc]),
    Buffer.from('a\u0000b\u0000'),
    Buffer.from('\u001b]0;retitled\u0007\u001b[2J'),
    Buffer.from('127.0.0.1 - - [01/Nov/99999:00:00:00 +0000] "GET / HTTP/1.1" 200 1'),
    Buffer.from('127.0.0.1 - - [00/Xyz/0000:99:99:99 +9999] "GET / HTTP/1.1" 200 1'),
    Buffer.from('127.0.0.1 - - [01/Nov/2022:00:00:00 +0000] "GET / HTTP/1.1" 999999 100000000000000000000'),
  ),
  // Filled in by the `before` hook, so picked by index when the case is made.
  fc.nat(3).map((index) => overflowingLines[index] ?? Buffer.from('overflow')),
);

const frameDraft: fc.Arbitrary<FrameDraft> = fc
  .record({
    source: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
    readAtMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    firstOffset: fc.integer({ min: 0, max: 2 ** 40 }),
    lines: fc.array(hostileLine, { minLength: 1, maxLength: 12 }),
    // A line cut by the producer is flagged; the consumer stores it as rejected.
    truncated: fc.nat(9).map((n) => n === 0),
  })
  .map(({ source, readAtMs, firstOffset, lines, truncated }) => ({
    source: Buffer.from(source),
    readAtMs,
    lines: linesAt(firstOffset, lines, truncated),
  }));

/** Values a frame's readAtMs can hold that no clock gives. */
const impossibleTime = fc.oneof(
  fc.constantFrom(
    NaN,
    Infinity,
    -Infinity,
    -1,
    -0,
    1e300,
    -1e300,
    Number.MAX_VALUE,
    8.64e15 + 1,
    2 ** 53,
    0.5,
  ),
  fc.double(),
);

type Mutation =
  | { readonly type: 'flip'; readonly at: number; readonly bit: number }
  | { readonly type: 'truncate'; readonly keep: number }
  | { readonly type: 'readAt'; readonly value: number }
  | { readonly type: 'lineCount'; readonly value: 'zero' | 'huge' | 'more' | 'fewer' }
  | { readonly type: 'offset'; readonly line: number; readonly value: number | 'duplicate' }
  | { readonly type: 'trailing'; readonly bytes: Uint8Array }
  | { readonly type: 'magic'; readonly bytes: Uint8Array }
  | { readonly type: 'sourceLength'; readonly value: number }
  | { readonly type: 'contentType'; readonly value: string | undefined };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    type: fc.constant('flip' as const),
    at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    bit: fc.nat(7),
  }),
  fc.record({
    type: fc.constant('truncate' as const),
    keep: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  }),
  fc.record({ type: fc.constant('readAt' as const), value: impossibleTime }),
  fc.record({
    type: fc.constant('lineCount' as const),
    value: fc.constantFrom('zero' as const, 'huge' as const, 'more' as const, 'fewer' as const),
  }),
  fc.record({
    type: fc.constant('offset' as const),
    line: fc.nat(11),
    value: fc.oneof(
      fc.constant('duplicate' as const),
      fc.constantFrom(-1, 2 ** 53, 2 ** 53 + 2, 1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER, 1e300),
    ),
  }),
  fc.record({
    type: fc.constant('trailing' as const),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 20 }),
  }),
  fc.record({ type: fc.constant('magic' as const), bytes: fc.uint8Array({ minLength: 4, maxLength: 4 }) }),
  fc.record({ type: fc.constant('sourceLength' as const), value: fc.nat(255) }),
  fc.record({
    type: fc.constant('contentType' as const),
    value: fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', undefined),
  }),
);

/** A body no lograbbit producer made, with the content type a foreign producer would give it. */
const foreignBody = fc.oneof(
  fc.record({
    body: fc.json().map((text) => Buffer.from(text)),
    contentType: fc.constant<string | undefined>('application/json'),
  }),
  fc.record({
    body: fc
      .constantFrom('{"not":"ours"}', '{"a":', 'null', '5', '"LRB1"', '')
      .map((text) => Buffer.from(text)),
    contentType: fc.constantFrom<string | undefined>('application/json', 'text/plain', LINE_BATCH, undefined),
  }),
  fc.record({
    body: fc.string({ unit: 'binary', maxLength: 200 }).map((text) => Buffer.from(text)),
    contentType: fc.constant<string | undefined>('text/plain'),
  }),
  fc.record({
    body: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    contentType: fc.constantFrom<string | undefined>(LINE_BATCH, undefined),
  }),
);

type Case =
  | { readonly kind: 'canary'; readonly lineCount: number }
  | { readonly kind: 'valid'; readonly draft: FrameDraft }
  | { readonly kind: 'mutated'; readonly draft: FrameDraft; readonly mutations: readonly Mutation[] }
  | { readonly kind: 'foreign'; readonly body: Buffer; readonly contentType: string | undefined };

const oneCase: fc.Arbitrary<Case> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('canary' as const), lineCount: fc.integer({ min: 1, max: 8 }) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('valid' as const), draft: frameDraft }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('mutated' as const),
      draft: frameDraft,
      mutations: fc.array(mutation, { minLength: 1, maxLength: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: foreignBody.map(({ body, contentType }) => ({ kind: 'foreign' as const, body, contentType })),
  },
);

function canaryFrame(index: number, lineCount: number): Frame {
  const lines = Array.from({ length: lineCount }, (_, line) =>
    Buffer.from(
      `192.0.2.${line + 1} - - [01/Nov/2022:10:00:00 +0000] "GET /canary/${index}/${line} HTTP/1.1" 200 ${index}`,
    ),
  );
  return {
    source: Buffer.from('canary.log'),
    streamId: uniqueStreamId(`${SEED}/${index}`),
    readAtMs: Date.UTC(2022, 10, 1),
    lines: linesAt(0, lines),
  };
}

/** Applies `mutations` in turn; the frame-level ones re-encode, the byte-level ones edit the body. */
function mutate(
  frame: Frame,
  mutations: readonly Mutation[],
): { body: Buffer; contentType: string | undefined } {
  let current = frame;
  let body = encodeFrame(current);
  let contentType: string | undefined = LINE_BATCH;
  const lineCountAt = (): number => readAtOffsetOf(current.source.length) + 8;
  for (const change of mutations) {
    switch (change.type) {
      case 'flip': {
        if (body.length === 0) break;
        const at = Math.floor(change.at * body.length);
        body[at] = (body[at] ?? 0) ^ (1 << change.bit);
        break;
      }
      case 'truncate':
        body = body.subarray(0, Math.floor(change.keep * body.length));
        break;
      case 'readAt':
        current = { ...current, readAtMs: change.value };
        body = encodeFrame(current);
        break;
      case 'offset': {
        const index = change.line % current.lines.length;
        const lines = [...current.lines];
        const line = lines[index];
        if (!line) break;
        const offset =
          change.value === 'duplicate' ? (lines[index - 1]?.offset ?? line.offset) : change.value;
        if (change.value === 'duplicate' && index === 0 && lines[1]) lines[1] = { ...lines[1], offset };
        else lines[index] = { ...line, offset };
        current = { ...current, lines };
        body = encodeFrame(current);
        break;
      }
      case 'lineCount': {
        if (body.length < lineCountAt() + 4) break;
        const count = body.readUInt32BE(lineCountAt());
        // A count an earlier change made huge stays at the largest a frame can say.
        const more = Math.min(0xffff_ffff, count + 1);
        const value = { zero: 0, huge: 0xffff_ffff, more, fewer: Math.max(0, count - 1) }[change.value];
        body = Buffer.from(body);
        body.writeUInt32BE(value, lineCountAt());
        break;
      }
      case 'trailing':
        body = Buffer.concat([body, change.bytes]);
        break;
      case 'magic':
        body = Buffer.concat([Buffer.from(change.bytes), body.subarray(4)]);
        break;
      case 'sourceLength':
        if (body.length > 4)
          body = Buffer.concat([body.subarray(0, 4), Buffer.of(change.value), body.subarray(5)]);
        break;
      case 'contentType':
        contentType = change.value;
        break;
    }
  }
  return { body, contentType };
}

function messageOf(index: number, item: Case): Sent {
  const messageId = `m-${index}`;
  const streamId = uniqueStreamId(`${SEED}/${index}`);
  switch (item.kind) {
    case 'canary':
      return {
        messageId,
        kind: 'canary',
        what: 'canary',
        body: encodeFrame(canaryFrame(index, item.lineCount)),
        contentType: LINE_BATCH,
      };
    case 'valid':
      return {
        messageId,
        kind: 'valid',
        what: 'well-formed',
        body: encodeFrame({ ...item.draft, streamId }),
        contentType: LINE_BATCH,
      };
    case 'mutated': {
      const { body, contentType } = mutate({ ...item.draft, streamId }, item.mutations);
      return { messageId, kind: 'mutated', what: JSON.stringify(item.mutations), body, contentType };
    }
    case 'foreign':
      return {
        messageId,
        kind: 'foreign',
        what: `foreign ${item.contentType}`,
        body: item.body,
        contentType: item.contentType,
      };
  }
}

/** What the three tables hold, by event id (hex). */
interface Stored {
  readonly raw: Map<string, string>;
  readonly clean: Set<string>;
  readonly rejected: Set<string>;
}

async function readStored(): Promise<Stored> {
  const sql = await services.sql();
  const [raw] = await sql.query<RowDataPacket[]>(
    'SELECT HEX(event_id) AS id, HEX(line) AS line FROM raw_log',
  );
  const [clean] = await sql.query<RowDataPacket[]>('SELECT HEX(event_id) AS id FROM clean_log');
  const [rejected] = await sql.query<RowDataPacket[]>('SELECT HEX(event_id) AS id FROM rejected_log');
  const id = (row: RowDataPacket): string => String(row.id).toLowerCase();
  return {
    raw: new Map(raw.map((row) => [id(row), String(row.line).toLowerCase()])),
    clean: new Set(clean.map(id)),
    rejected: new Set(rejected.map(id)),
  };
}

/** Why `frame` is not stored whole in `queue`'s tables, or undefined if it is. */
function notStored(frame: Frame, queue: (typeof WORK_QUEUES)[number], stored: Stored): string | undefined {
  for (const line of frame.lines) {
    const id = eventIdHexOf(frame.streamId, line.offset);
    if (queue === 'data-lake') {
      const bytes = stored.raw.get(id);
      const candidates = frame.lines.filter((other) => other.offset === line.offset);
      if (bytes === undefined) return `the line at offset ${line.offset} is not in raw_log`;
      if (!candidates.some((other) => other.bytes.toString('hex') === bytes)) {
        return `raw_log holds other bytes for the line at offset ${line.offset}`;
      }
    } else if (stored.clean.has(id) === stored.rejected.has(id)) {
      return `the line at offset ${line.offset} is in ${stored.clean.has(id) ? 'both' : 'neither'} of clean_log and rejected_log`;
    }
  }
  return undefined;
}

async function runProperty(sentCases: readonly Case[]): Promise<void> {
  const messages = sentCases.map((item, index) => messageOf(index, item));
  const metricsPort = await freePort();
  const consumer: RunningCli = startCli(
    [
      'consume',
      '--prefetch',
      '20',
      '--write-batch-rows',
      '200',
      '--no-geo',
      '--no-user-agent',
      '--metrics-port',
      String(metricsPort),
    ],
    {
      env: services.env,
    },
  );
  let exit: CliResult | undefined;
  void consumer.exited.then((result) => (exit = result));
  const stillRunning = (): void => {
    if (exit) {
      throw new Error(
        `consume exited (code ${exit.code}, signal ${exit.signal}) while messages were in its queues:\n${exit.stderr.slice(-3000)}`,
      );
    }
  };
  try {
    const publisher = rabbit.createPublisher({ confirm: true });
    for (const message of messages) {
      await publisher.send(
        {
          exchange: 'weblogs',
          routingKey: ROUTING_KEY,
          durable: true,
          messageId: message.messageId,
          ...(message.contentType === undefined ? {} : { contentType: message.contentType }),
        },
        message.body,
      );
    }
    await publisher.close();
    // Done when the consumer has settled every message of each queue for good (acknowledged after
    // its rows committed, or moved to data-dead), by its own counters, not by the queue depths.
    await waitUntilConsumerSettled(metricsPort, { count: messages.length, check: stillRunning });
  } finally {
    consumer.kill('SIGTERM');
  }
  const stopped = await consumer.exited;
  assert.equal(stopped.code, 0, `consume stops cleanly on SIGTERM:\n${stopped.stderr.slice(-3000)}`);

  const stored = await readStored();
  const dead = await readDeadQueue(rabbit);
  const problems: string[] = [];
  const deadCount = new Map<string, number>();
  const reasons = new Map<string, string>();
  for (const letter of dead) {
    const queue = letter.headers['x-lograbbit-queue'];
    const reason = letter.headers['x-lograbbit-reason'];
    const key = `${letter.messageId}@${String(queue)}`;
    deadCount.set(key, (deadCount.get(key) ?? 0) + 1);
    reasons.set(key, String(reason));
    if (typeof reason !== 'string' || reason === '') {
      problems.push(`${key}: in data-dead without an x-lograbbit-reason header`);
    }
    const byBroker = brokerDeathReasonOf(letter);
    if (byBroker !== undefined)
      problems.push(`${key}: dead-lettered by RabbitMQ (${byBroker}), not by the consumer`);
    if (!messages.some((message) => message.messageId === letter.messageId)) {
      problems.push(`${key}: in data-dead, and not a message of this test`);
    }
  }
  for (const message of messages) {
    const frame = storableFrameOf(message.body);
    for (const queue of WORK_QUEUES) {
      const deaths = deadCount.get(`${message.messageId}@${queue}`) ?? 0;
      const label = `${message.messageId} (${message.kind}: ${message.what}) from ${queue}`;
      if (deaths > 1) problems.push(`${label}: in data-dead ${deaths} times`);
      if (deaths > 0 && (message.kind === 'canary' || message.kind === 'valid')) {
        problems.push(
          `${label}: a well-formed message is in data-dead: ${reasons.get(`${message.messageId}@${queue}`)}`,
        );
      }
      if (deaths > 0) continue;
      if (!frame) {
        problems.push(`${label}: not a whole frame, and not in data-dead`);
        continue;
      }
      const missing = notStored(frame, queue, stored);
      if (missing) problems.push(`${label}: neither in data-dead nor stored whole: ${missing}`);
    }
  }
  const counts = (kind: Kind): number => messages.filter((message) => message.kind === kind).length;
  assert.deepEqual(
    problems,
    [],
    `seed ${SEED}: ${problems.length} broken promises over ${messages.length} messages ` +
      `(${counts('canary')} canaries, ${counts('valid')} well-formed, ${counts('mutated')} mutated, ${counts('foreign')} foreign)`,
  );
}

test('every message is stored whole or dead-lettered alone, and consume never exits', async (context) => {
  context.diagnostic(`seed ${SEED} (LOGRABBIT_PROPERTY_SEED=${SEED} reproduces this run)`);
  // One run of many messages: a run costs a consumer and a drain, so the cases are drawn once from
  // the seed and judged together; a failure lists every broken message instead of a shrunk input.
  const [cases] = fc.sample(fc.array(oneCase, { minLength: MESSAGES, maxLength: MESSAGES }), {
    seed: SEED,
    numRuns: 1,
  });
  assert.ok(cases);
  await runProperty(cases);
});
