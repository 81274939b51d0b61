/**
 * The connection to RabbitMQ. At start-up it fails fast, with one line naming the broker's address,
 * when the broker refuses us or does not answer in time; once up, it reconnects by itself and says
 * so once per outage, not once per retry.
 */
import { readFileSync } from 'node:fs';
import { Connection } from 'rabbitmq-client';
import type { Logger } from 'pino';
import { ServiceUnavailableError, UsageError, messageOf } from '../errors.js';

export interface BrokerEndpoint {
  /** Connection URL with credentials: never logged. */
  readonly url: string;
  /** `host:port vhost "/"`, for messages. */
  readonly address: string;
  /** A CA file to trust for the broker's certificate (amqps:// with a private CA). */
  readonly tlsCaFile?: string | undefined;
}

/** Errors after which waiting longer cannot help: the command ends at once. */
const FINAL_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ACCESS_REFUSED',
  'NOT_ALLOWED',
]);

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
  const connection = new Connection({
    url: endpoint.url,
    ...(ca === undefined ? {} : { tls: { ca } }),
    connectionName: options.name,
    connectionTimeout: options.timeoutMs,
    retryLow: 200,
    retryHigh: 5000,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(unavailable(endpoint, `no answer within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      const onError = (error: unknown): void => {
        const code = codeOf(error);
        if (code !== undefined && FINAL_CODES.has(code)) {
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

function describe(code: string, error: unknown): string {
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host';
  if (code === 'ACCESS_REFUSED') return 'login refused';
  if (code === 'NOT_ALLOWED') return 'access to the vhost refused';
  return messageOf(error);
}
