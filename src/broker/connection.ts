/**
 * The connection to RabbitMQ. At start-up it fails fast, with one line naming the broker's address,
 * when the broker refuses us or does not answer in time; once up, it reconnects by itself and says
 * so once per outage, not once per retry.
 *
 * Given several nodes of a cluster, the client library connects to the first and, when its node goes
 * away, moves round-robin to the next (its `hosts` option): the failover is the library's, not ours.
 */
import { readFileSync } from 'node:fs';
import { Connection } from 'rabbitmq-client';
import type { Logger } from 'pino';
import { ServiceUnavailableError, UsageError, messageOf } from '../errors.js';

export interface BrokerEndpoint {
  /** Connection URL with credentials: never logged. */
  readonly url: string;
  /** The nodes, as `host:port`; with one, the URL's host is the node (an IPv6 address works there). */
  readonly nodes: readonly string[];
  /** `host:port vhost "/"`, for messages. */
  readonly address: string;
  /** A CA file to trust for the broker's certificate (amqps:// with a private CA). */
  readonly tlsCaFile?: string | undefined;
}

/** Errors after which waiting longer cannot help: the command ends at once. */
const FINAL_CODES = new Set(['ACCESS_REFUSED', 'NOT_ALLOWED']);
/**
 * Errors of one node's address: final when there is only that node; with several, the client tries
 * the next one, and only the time limit ends the wait (the library reports the first error of a run
 * of failed attempts, not each).
 */
const NODE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** Opens a connection and waits until it is up, or throws a `ServiceUnavailableError`. */
export async function connectBroker(
  endpoint: BrokerEndpoint,
  options: { readonly name: string; readonly timeoutMs: number; readonly log: Logger },
): Promise<Connection> {
  let ca: Buffer | undefined;
  if (endpoint.tlsCaFile !== undefined) {
    try {
      ca = readFileSync(endpoint.tlsCaFile);
    } catch (error) {
      throw new UsageError(
        'LR_CONFIG',
        `RABBIT_TLS_CA: cannot read ${endpoint.tlsCaFile} (${messageOf(error)})`,
      );
    }
  }
  const several = endpoint.nodes.length > 1;
  const connection = new Connection({
    url: endpoint.url,
    ...(several ? { hosts: [...endpoint.nodes] } : {}),
    ...(ca === undefined ? {} : { tls: { ca } }),
    connectionName: options.name,
    connectionTimeout: options.timeoutMs,
    retryLow: 200,
    retryHigh: 5000,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let firstError: string | undefined;
      const timer = setTimeout(() => {
        const why = several
          ? `no node answered within ${options.timeoutMs} ms${firstError === undefined ? '' : ` (the first: ${firstError})`}`
          : `no answer within ${options.timeoutMs} ms`;
        reject(unavailable(endpoint, why));
      }, options.timeoutMs);
      const onError = (error: unknown): void => {
        const code = codeOf(error);
        firstError ??= describe(code, error);
        if (code !== undefined && (FINAL_CODES.has(code) || (!several && NODE_CODES.has(code)))) {
          clearTimeout(timer);
          reject(unavailable(endpoint, describe(code, error), code));
        }
      };
      connection.on('error', onError);
      connection.once('connection', () => {
        clearTimeout(timer);
        connection.off('error', onError);
        resolve();
      });
    });
  } catch (error) {
    connection.unsafeDestroy();
    throw error;
  }
  watchOutages(connection, endpoint, options.log);
  return connection;
}

function watchOutages(connection: Connection, endpoint: BrokerEndpoint, log: Logger): void {
  let down = false;
  connection.on('error', (error: unknown) => {
    if (down) return;
    down = true;
    log.warn(
      { broker: endpoint.address, error: messageOf(error) },
      'RabbitMQ connection lost; retrying with backoff (unacknowledged messages will be redelivered)',
    );
  });
  connection.on('connection', () => {
    if (!down) return;
    down = false;
    log.info({ broker: endpoint.address }, 'RabbitMQ connection restored; topology redeclared');
  });
  connection.on('connection.blocked', (reason: string) =>
    log.warn({ broker: endpoint.address, reason }, 'RabbitMQ is blocking publishers (low on resources)'),
  );
  connection.on('connection.unblocked', () => log.info({ broker: endpoint.address }, 'RabbitMQ unblocked'));
}

function unavailable(endpoint: BrokerEndpoint, why: string, code?: string): ServiceUnavailableError {
  const refused = code === 'ACCESS_REFUSED' || code === 'NOT_ALLOWED';
  const hint = refused
    ? 'check RABBIT_USER, RABBIT_PASSWORD and RABBIT_VHOST (or RABBIT_URL)'
    : 'is it running? (`docker compose up -d rabbitmq`, or `rabbitmq-server -detached`)';
  return new ServiceUnavailableError(
    refused ? 'LR_BROKER_REFUSED' : 'LR_BROKER_UNAVAILABLE',
    `cannot connect to RabbitMQ at ${endpoint.address}: ${why}; ${hint}`,
  );
}

function codeOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) return String(error.code);
  return undefined;
}

function describe(code: string | undefined, error: unknown): string {
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host';
  if (code === 'ACCESS_REFUSED') return 'login refused';
  if (code === 'NOT_ALLOWED') return 'access to the vhost refused';
  return messageOf(error);
}
