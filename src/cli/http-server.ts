/**
 * `--metrics-port`: /metrics, /healthz and /readyz on their own port, for any long-running command
 * (consume, dashboard, run, produce --follow). `startHttpEndpoints` is the one call such a command
 * makes; it listens on the loopback unless `--metrics-host` says otherwise.
 */
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { listenSchema } from '../config/index.js';
import type { Listen } from '../config/index.js';
import { buildHealthApp } from '../dashboard/index.js';
import type { Readiness } from '../dashboard/index.js';
import { UsageError, messageOf } from '../errors.js';
import type { Logger } from '../telemetry/index.js';

export interface MetricsOptionValues {
  readonly metricsPort?: string;
  readonly metricsHost?: string;
}

export function addMetricsOptions(command: Command): Command {
  return command
    .option('--metrics-port <port>', 'serve /metrics, /healthz and /readyz on this port (off by default)')
    .option('--metrics-host <address>', 'address the metrics port listens on', '127.0.0.1');
}

/**
 * Validates a host and port; a bad value is a usage error naming `option`. undefined when no port
 * was asked for.
 */
export function listenOf(
  host: string | undefined,
  port: string | undefined,
  option: string,
): Listen | undefined {
  if (port === undefined) return undefined;
  const result = listenSchema.safeParse({ host, port });
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UsageError('LR_USAGE', `${option}: ${issue?.message ?? 'invalid'} (got "${port}")`);
  }
  return result.data;
}

export interface HttpEndpoints {
  /** `http://host:port`, with the port really bound (for port 0). */
  readonly url: string;
  close(): Promise<void>;
}

/** Listens with `app`, turning "address in use" and the like into a usage error naming `option`. */
export async function listenOrExplain(app: FastifyInstance, listen: Listen, option: string): Promise<string> {
  try {
    await app.listen({ host: listen.host, port: listen.port });
  } catch (error) {
    await app.close();
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    const why =
      code === 'EADDRINUSE'
        ? 'the port is in use'
        : code === 'EADDRNOTAVAIL'
          ? 'no such address on this machine'
          : code === 'EACCES'
            ? 'not allowed to listen there'
            : messageOf(error);
    throw new UsageError('LR_USAGE', `${option} ${listen.host}:${listen.port}: cannot listen (${why})`);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : listen.port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return `http://${host}:${port}`;
}

/** Serves /metrics, /healthz and /readyz until `close`. */
export async function startHttpEndpoints(options: {
  readonly listen: Listen;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly log: Logger;
}): Promise<HttpEndpoints> {
  const app = buildHealthApp({ registry: options.registry, readiness: options.readiness });
  const url = await listenOrExplain(app, options.listen, '--metrics-port');
  options.log.info({ url: `${url}/metrics` }, 'serving metrics');
  return { url, close: () => app.close() };
}
