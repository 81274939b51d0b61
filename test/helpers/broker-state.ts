/**
 * What the broker and a consumer say about the messages of a test: a wait until a consumer has
 * settled every message for good, by its own counters, and the messages of data-dead with their
 * headers, read and put back.
 */
import { Connection } from 'rabbitmq-client';
import { RABBIT_HOST } from './services.js';
import type { TestServices } from './services.js';
import { sleep } from './processes.js';

export interface SettleOptions {
  /** Messages each queue must see settled. */
  readonly count: number;
  readonly timeoutMs?: number;
  /** Throws when a process the waiting depends on is gone: waiting longer would only time out. */
  readonly check?: () => void;
  readonly queues?: readonly string[];
}

/**
 * Waits until the consumer whose /metrics listen on `metricsPort` has settled `count` messages of
 * each work queue for good: acknowledged (after its rows committed) or moved to data-dead. The
 * broker's queue depths are no such proof: rabbitmqctl reported quorum queues empty while the
 * consumer still had messages to take.
 */
export async function waitUntilConsumerSettled(metricsPort: number, options: SettleOptions): Promise<void> {
  const { count, timeoutMs = 60_000, queues = ['data-lake', 'data-clean'] } = options;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    options.check?.();
    const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
      .then((answer) => answer.text())
      .catch(() => '');
    const settled = queues.map((queue) => settledIn(text, queue));
    last = queues.map((queue, index) => `${queue} ${settled[index]}/${count}`).join(', ');
    if (settled.every((done) => done >= count)) return;
    if (Date.now() > deadline) {
      throw new Error(`not every message settled within ${timeoutMs} ms: ${last}`);
    }
    await sleep(200);
  }
}

/** Messages of `queue` acknowledged or dead-lettered, by the counters of a /metrics text. */
function settledIn(metrics: string, queue: string): number {
  return ['lograbbit_messages_acked_total', 'lograbbit_messages_dead_lettered_total'].reduce((sum, name) => {
    const match = new RegExp(`^${name}\\{[^}]*queue="${queue}"[^}]*\\} (\\d+)$`, 'm').exec(metrics);
    return sum + Number(match?.[1] ?? 0);
  }, 0);
}

/** A connection of the test's own to its vhost (for publishing forged messages, reading data-dead). */
export async function connectTestBroker(services: TestServices): Promise<Connection> {
  const rabbit = new Connection({
    url: `amqp://guest:guest@${RABBIT_HOST}:5672/${encodeURIComponent(services.vhost)}`,
  });
  await rabbit.onConnect(10_000);
  return rabbit;
}

export interface DeadMessage {
  readonly messageId: string | undefined;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: Buffer;
}

/** Every message in data-dead, which is left as it was (unacked gets return on close, in order). */
export async function readDeadQueue(rabbit: Connection): Promise<DeadMessage[]> {
  const channel = await rabbit.acquire();
  try {
    const found: DeadMessage[] = [];
    for (;;) {
      const message = await channel.basicGet({ queue: 'data-dead', noAck: false });
      if (!message) break;
      const body = Buffer.isBuffer(message.body)
        ? message.body
        : Buffer.from(typeof message.body === 'string' ? message.body : JSON.stringify(message.body));
      found.push({ messageId: message.messageId, headers: message.headers ?? {}, body });
    }
    return found;
  } finally {
    await channel.close();
  }
}

/** The reason the broker itself gave for dead-lettering (x-death), if it did. */
export function brokerDeathReasonOf(message: DeadMessage): string | undefined {
  const deaths = message.headers['x-death'];
  if (!Array.isArray(deaths) || deaths.length === 0) return undefined;
  const first: unknown = deaths[0];
  return typeof first === 'object' && first !== null && 'reason' in first ? String(first.reason) : 'unknown';
}
