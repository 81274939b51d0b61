/**
 * What the broker holds, seen from outside the product: queue depths including unacknowledged
 * messages (from `rabbitmqctl`, since a passive declare counts only ready ones and the management API
 * is not enabled), a wait for "drained" that fails fast when a consumer it relies on has died, and
 * the messages of data-dead with their headers, read and put back.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Connection } from 'rabbitmq-client';
import { RABBIT_HOST } from './services.js';
import type { TestServices } from './services.js';

const run = promisify(execFile);

export interface QueueDepth {
  readonly ready: number;
  readonly unacknowledged: number;
}

/** Ready and unacknowledged messages of every queue of `vhost`. */
export async function queueDepths(vhost: string): Promise<Map<string, QueueDepth>> {
  const { stdout } = await run(
    'rabbitmqctl',
    [
      '-q',
      '--no-table-headers',
      'list_queues',
      '-p',
      vhost,
      'name',
      'messages_ready',
      'messages_unacknowledged',
    ],
    { timeout: 60_000 },
  );
  const depths = new Map<string, QueueDepth>();
  for (const row of stdout.split('\n')) {
    const [name, ready, unacknowledged] = row.trim().split(/\s+/);
    if (name && ready !== undefined && unacknowledged !== undefined) {
      depths.set(name, { ready: Number(ready), unacknowledged: Number(unacknowledged) });
    }
  }
  return depths;
}

export interface DrainOptions {
  readonly timeoutMs: number;
  /** Throws when a process the draining depends on is gone: waiting longer would only time out. */
  readonly check?: () => void;
  readonly queues?: readonly string[];
}

/**
 * Waits until the work queues hold nothing, ready or unacknowledged, on two readings in a row.
 * A consumer acks only after its rows are committed (or the message is confirmed in data-dead), so
 * an empty queue with nothing unacknowledged means every message is settled for good.
 */
export async function waitUntilQueuesDrained(vhost: string, options: DrainOptions): Promise<void> {
  const queues = options.queues ?? ['data-lake', 'data-clean'];
  const deadline = Date.now() + options.timeoutMs;
  let quiet = 0;
  let last = '';
  while (quiet < 2) {
    options.check?.();
    if (Date.now() > deadline) {
      throw new Error(`the queues were not drained within ${options.timeoutMs} ms; last seen: ${last}`);
    }
    const depths = await queueDepths(vhost);
    last = queues
      .map((queue) => `${queue} ${depths.get(queue)?.ready}/${depths.get(queue)?.unacknowledged}`)
      .join(', ');
    const empty = queues.every(
      (queue) => depths.get(queue)?.ready === 0 && depths.get(queue)?.unacknowledged === 0,
    );
    quiet = empty ? quiet + 1 : 0;
    if (quiet < 2) await new Promise((resolve) => setTimeout(resolve, 300));
  }
  options.check?.();
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
