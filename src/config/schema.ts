/**
 * Every setting lograbbit reads, with its default and unit beside it. Connection settings come from
 * the environment (names are a contract, see README "Configuration"); tuning knobs come from command
 * options and fall back to the defaults here.
 */
import { z } from 'zod';

/** A whole number in [min, max], from a string, with a message that says so. */
const wholeNumber = (min: number, max: number) => {
  const message = `expected a whole number from ${min} to ${max}`;
  return z.coerce
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
};
const port = wholeNumber(1, 65535);
const positiveInt = (max: number) => wholeNumber(1, max);

/** The environment variables, as strings in, typed values out. */
export const environmentSchema = z.object({
  /**
   * Full broker URL (`amqp://user:pass@host:5672/vhost`, or `amqps://` for TLS); wins over RABBIT_*.
   * The nodes of a cluster: several URLs separated by commas, differing only in host and port.
   */
  RABBIT_URL: z.string().optional(),
  /** Broker host, or the nodes of a cluster: `host[:port]` separated by commas (port: RABBIT_PORT). */
  RABBIT_HOST: z.string().min(1).default('127.0.0.1'),
  RABBIT_PORT: port.default(5672),
  RABBIT_USER: z.string().min(1).default('guest'),
  RABBIT_PASSWORD: z.string().default('guest'),
  RABBIT_VHOST: z.string().min(1).default('/'),
  /** CA certificate (PEM file) that signed the broker's certificate, for amqps:// with a private CA. */
  RABBIT_TLS_CA: z.string().min(1).optional(),
  /**
   * RabbitMQ's management API (`http://host:15672`), where `setup` compares each queue's members
   * with the cluster's running nodes; by default port 15672 of each broker node, the first that answers.
   */
  RABBIT_MANAGEMENT_URL: z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .optional(),
  /**
   * Full database URL (`mysql://user:pass@host:3306/name`); wins over DB_*. The nodes of a cluster
   * (Galera): several URLs separated by commas, differing only in host and port.
   */
  DATABASE_URL: z.string().optional(),
  /** Database host, or the nodes of a cluster: `host[:port]` separated by commas (port: DB_PORT). */
  DB_HOST: z.string().min(1).default('127.0.0.1'),
  DB_PORT: port.default(3306),
  /**
   * Where `dashboard`, `stats` and the dashboard of `run` read: a replica or another node of the
   * cluster, `host[:port]` separated by commas (port: DB_PORT), with the writers' login and database.
   * Unset: they read where the writers write.
   */
  DB_READ_HOST: z.string().min(1).optional(),
  /** Database name: created by `setup` when missing, so it must be a plain identifier. */
  DB_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_$]{1,64}$/, 'expected letters, digits, _ or $ (at most 64)')
    .default('lograbbit'),
  DB_USER: z.string().min(1).default('root'),
  DB_PASSWORD: z.string().default(''),
  /** Connect to the database over TLS: `true` verifies against the system CAs; DB_TLS_CA adds a CA file. */
  DB_TLS: z.enum(['true', 'false']).default('false'),
  /** CA certificate (PEM file) that signed the database's certificate; implies DB_TLS=true. */
  DB_TLS_CA: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Path of an MMDB geo database (MaxMind GeoLite2-City…) to use instead of the shipped DB-IP City Lite. */
  GEOIP_DB: z.string().optional(),
  /**
   * Token the dashboard requires when it listens beyond the loopback (`/?token=…` once, or
   * `Authorization: Bearer …`); at least 16 characters.
   */
  DASHBOARD_TOKEN: z.string().min(16, { error: 'expected at least 16 characters' }).optional(),
});
export type Environment = z.infer<typeof environmentSchema>;

/** Knobs of the pipeline; each has a command-line option of the same meaning. */
export const tuningSchema = z.object({
  /** Lines per broker message; 1 puts each line in a message of its own (the slowest). */
  batchLines: positiveInt(10_000).default(100),
  /** Upper bound of a message's size in bytes, whatever its line count. */
  batchBytes: positiveInt(64 * 1024 * 1024).default(1024 * 1024),
  /** Longer lines are cut to this many bytes and flagged `truncated` (never dropped). */
  maxLineBytes: positiveInt(16 * 1024 * 1024).default(64 * 1024),
  /**
   * Published messages awaiting their confirm at once; the producer waits when the window is full,
   * or when the messages in it reach 8 MiB (wide lines make messages of up to --max-line-bytes).
   */
  publishWindow: positiveInt(10_000).default(64),
  /**
   * Unacknowledged messages a consumer holds at once, per queue (AMQP prefetch). With 100-line
   * messages, 100 hold 10,000 lines: two transactions of 2,000 rows in flight and three ready. Lines
   * held are the consumer's memory, as bytes until their transaction forms (a little more at its peak
   * than with a smaller prefetch; see writeBatchRows). With --batch-lines 1, raise it.
   * Large messages are taken fewer at a time, so that the messages held stay within about 32 MiB (the
   * consumer makes the AMQP count from the sizes it sees).
   */
  prefetch: positiveInt(10_000).default(100),
  /**
   * Rows per database transaction, at most. Bigger transactions cost less per row on both sides
   * (fewer statements, commits and round trips) and need the larger prefetch to keep one ready while
   * two are in flight; the memory they add is small (bench/RESULTS.md, "Transaction size and prefetch").
   */
  writeBatchRows: positiveInt(100_000).default(2000),
  /**
   * Transactions in flight at once per table: with 2 the next batch is written while the last one
   * commits, which consumes faster than 1 (bench/RESULTS.md, "Figures moved out of code comments").
   */
  writeConcurrency: positiveInt(16).default(2),
  /** How long a partial batch of rows waits for more before it is written, in ms. */
  flushIntervalMs: wholeNumber(0, 60_000).default(20),
  /** How long start-up waits for RabbitMQ or the database before it gives up, in ms. */
  connectTimeoutMs: positiveInt(600_000).default(5000),
  /** Followed files and live streams: how long lines wait for their batch to fill before it is sent, in ms. */
  batchLingerMs: wholeNumber(0, 60_000).default(20),
  /** Followed files: how often they are checked when no file-system event came, in ms. */
  pollIntervalMs: wholeNumber(10, 60_000).default(100),
  /** Followed files: how long a renamed or deleted file is still read after its last growth, in ms. */
  rotateWaitMs: wholeNumber(0, 3_600_000).default(5000),
  /** Followed files: the directory of the per-file checkpoints (one per producer). */
  stateDir: z.string().min(1).default('.lograbbit'),
});
export type Tuning = z.infer<typeof tuningSchema>;
export type TuningOverrides = { [K in keyof Tuning]?: number | string | undefined };

/** Where an HTTP server of lograbbit listens (the dashboard, `--metrics-port`). */
export const listenSchema = z.object({
  /** Address to bind; the loopback by default, so nothing is reachable from elsewhere unasked. */
  host: z.string().min(1).default('127.0.0.1'),
  /** TCP port; 0 picks a free one. */
  port: wholeNumber(0, 65535),
});
export type Listen = z.infer<typeof listenSchema>;
