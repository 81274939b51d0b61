/**
 * Reads the configuration once: the environment (with a `.env` file under it when present) and the
 * command's tuning options, validated together so every problem is reported at once, then frozen.
 * This is the only module that reads `process.env`. Secrets never appear in its messages.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotEnv } from 'dotenv';
import type { z } from 'zod';
import { UsageError } from '../errors.js';
import { environmentSchema, tuningSchema } from './schema.js';
import {
  assertSameButHost,
  nodeAddress,
  parseHostList,
  refuseIpv6InList,
  splitUrlList,
} from './node-lists.js';
import type { ServerNode } from './node-lists.js';
import type { Environment, Tuning, TuningOverrides } from './schema.js';

export interface RabbitConfig {
  /** Connection URL, credentials included (host: the first node): hand it to the client, never print it. */
  readonly url: string;
  /**
   * Every node, as `host:port`: more than one when RABBIT_HOST or RABBIT_URL is a list; the client
   * connects to the first and moves round-robin to the next when its node goes away.
   */
  readonly nodes: readonly string[];
  /** `host:port vhost "/"` (`host:port, host:port vhost "/"` for a list): safe to print. */
  readonly address: string;
  readonly tls: boolean;
  /** RABBIT_TLS_CA: a CA file to trust for the broker's certificate. */
  readonly tlsCaFile: string | undefined;
  readonly vhost: string;
  /** RabbitMQ's management API, read by `setup` only. */
  readonly management: ManagementConfig;
}

export interface ManagementConfig {
  /** RABBIT_MANAGEMENT_URL, else `http://<node>:15672` for each node: without credentials, safe to print. */
  readonly urls: readonly string[];
  /** From RABBIT_MANAGEMENT_URL when it holds them, else the broker login. */
  readonly user: string;
  readonly password: string;
}

export interface DatabaseConfig {
  /** The first node's host and port (the only node's, as before lists). */
  readonly host: string;
  readonly port: number;
  /**
   * Every node, the first one first: more than one when DB_HOST or DATABASE_URL is a list; the
   * writers use the first node that answers and move to the next when it goes away.
   */
  readonly nodes: readonly ServerNode[];
  readonly database: string;
  readonly user: string;
  readonly password: string;
  /** `host:port/database` (`host:port, host:port/database` for a list): safe to print. */
  readonly address: string;
  /** Connect over TLS (DB_TLS=true, or a DB_TLS_CA file), verifying the server's certificate. */
  readonly tls: boolean;
  readonly tlsCaFile: string | undefined;
}

export interface Config {
  readonly rabbit: RabbitConfig;
  readonly db: DatabaseConfig;
  /** DB_READ_HOST: where the dashboard and `stats` read (the writers' login and database); undefined: `db`. */
  readonly dbRead: DatabaseConfig | undefined;
  readonly logLevel: Environment['LOG_LEVEL'];
  readonly tuning: Tuning;
  /** GEOIP_DB: an MMDB file to use instead of the shipped geo database; undefined for the shipped one. */
  readonly geoipDb: string | undefined;
  /** DASHBOARD_TOKEN: required by the dashboard when it listens beyond the loopback. */
  readonly dashboardToken: string | undefined;
}

/** Variables whose values are secret: a message about them never quotes the value. */
const SECRET_VARIABLES = new Set([
  'RABBIT_URL',
  'RABBIT_MANAGEMENT_URL',
  'RABBIT_PASSWORD',
  'DATABASE_URL',
  'DB_PASSWORD',
  'DASHBOARD_TOKEN',
]);

/** What each URL variable may hold: its schemes, and what its path names (for messages). */
const URL_SHAPES = {
  RABBIT_URL: { protocols: ['amqp:', 'amqps:'], path: 'vhost' },
  DATABASE_URL: { protocols: ['mysql:', 'mariadb:'], path: 'database name' },
} as const satisfies Record<string, UrlShape>;

interface UrlShape {
  readonly protocols: readonly string[];
  readonly path: string;
}

/**
 * The process environment with the variables of `envFile` under it (the environment wins, as with
 * docker compose). A missing default `.env` is fine; a missing file the user named is an error.
 */
export function readEnvironment(
  envFile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  const path = envFile ?? '.env';
  if (!existsSync(path)) {
    if (envFile !== undefined) throw new UsageError('LR_CONFIG', `--env-file ${envFile}: no such file`);
    return { ...env };
  }
  return { ...parseDotEnv(readFileSync(path)), ...env };
}

/**
 * Whether LOG_LEVEL asks for debug output, read on its own: the entry point asks it of a failure that
 * may have come before (or from) the configuration itself.
 */
export function debugRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(debug|trace)$/.test(env.LOG_LEVEL ?? '');
}

/** Validates and freezes the configuration; throws one `UsageError` that lists every problem. */
export function loadConfig(env: Record<string, string | undefined>, overrides: TuningOverrides = {}): Config {
  const problems: string[] = [];
  const environment = environmentSchema.safeParse(blankToUndefined(env));
  if (!environment.success) problems.push(...describeIssues(environment.error, env, (key) => key));
  const tuning = tuningSchema.safeParse(withoutUndefined(overrides));
  if (!tuning.success) problems.push(...describeIssues(tuning.error, overrides, optionName));

  let rabbit: RabbitConfig | undefined;
  let db: DatabaseConfig | undefined;
  let dbRead: DatabaseConfig | undefined;
  if (environment.success) {
    try {
      rabbit = rabbitConfigOf(environment.data);
    } catch (error) {
      problems.push((error as Error).message);
    }
    try {
      db = databaseConfigOf(environment.data);
      dbRead = readDatabaseConfigOf(environment.data, db);
    } catch (error) {
      problems.push((error as Error).message);
    }
  } else {
    // The URLs are checked even when another variable is wrong, so every problem is reported at once.
    for (const [variable, shape] of Object.entries(URL_SHAPES)) {
      const value = env[variable];
      if (value === undefined || value === '') continue;
      try {
        parseUrlList(variable, value, shape);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
  }
  if (problems.length > 0 || !environment.success || !tuning.success || !rabbit || !db) {
    throw new UsageError('LR_CONFIG', problems.join('; '));
  }
  return deepFreeze({
    rabbit,
    db,
    dbRead,
    logLevel: environment.data.LOG_LEVEL,
    tuning: tuning.data,
    geoipDb: environment.data.GEOIP_DB,
    dashboardToken: environment.data.DASHBOARD_TOKEN,
  });
}

function rabbitConfigOf(env: Environment): RabbitConfig {
  if (env.RABBIT_URL !== undefined) {
    const parsed = parseUrlList('RABBIT_URL', env.RABBIT_URL, URL_SHAPES.RABBIT_URL);
    const { url, path } = parsed[0] as ParsedUrl;
    const vhost = path === '' ? '/' : path;
    const servers = parsed.map(({ url: each }) =>
      serverNodeOf(each, url.protocol === 'amqps:' ? 5671 : 5672),
    );
    refuseIpv6InList('RABBIT_URL', servers);
    const nodes = servers.map(nodeAddress);
    return {
      url: url.href,
      nodes,
      address: `${nodes.join(', ')} vhost "${vhost}"`,
      tls: url.protocol === 'amqps:',
      tlsCaFile: env.RABBIT_TLS_CA,
      vhost,
      management: managementConfigOf(env, nodes, parsed[0] as ParsedUrl),
    };
  }
  const credentials = `${encodeURIComponent(env.RABBIT_USER)}:${encodeURIComponent(env.RABBIT_PASSWORD)}`;
  const [first, ...others] = parseHostList('RABBIT_HOST', env.RABBIT_HOST, env.RABBIT_PORT);
  if (first === undefined) throw new Error('RABBIT_HOST: expected at least one host');
  refuseIpv6InList('RABBIT_HOST', [first, ...others]);
  const nodes = [first, ...others].map(nodeAddress);
  return {
    url: `amqp://${credentials}@${nodeAddress(first)}/${encodeURIComponent(env.RABBIT_VHOST)}`,
    nodes,
    address: `${nodes.join(', ')} vhost "${env.RABBIT_VHOST}"`,
    tls: false,
    tlsCaFile: env.RABBIT_TLS_CA,
    vhost: env.RABBIT_VHOST,
    management: managementConfigOf(env, nodes, { user: env.RABBIT_USER, password: env.RABBIT_PASSWORD }),
  };
}

/** Port 15672 of each node unless RABBIT_MANAGEMENT_URL names the API; its login, else the broker's. */
function managementConfigOf(
  env: Environment,
  nodes: readonly string[],
  brokerLogin: { readonly user: string; readonly password: string },
): ManagementConfig {
  if (env.RABBIT_MANAGEMENT_URL === undefined) {
    const urls = [...new Set(nodes.map((node) => `http://${node.replace(/:\d+$/, '')}:15672/`))];
    return { urls, user: brokerLogin.user, password: brokerLogin.password };
  }
  const { url, user, password } = parseUrl('RABBIT_MANAGEMENT_URL', env.RABBIT_MANAGEMENT_URL, {
    protocols: ['http:', 'https:'],
    path: 'path',
  });
  const login = user === '' ? brokerLogin : { user, password };
  url.username = '';
  url.password = '';
  return { urls: [url.href], ...login };
}

/** A list of URLs (`splitUrlList`), each parsed, that differ only in host and port. */
function parseUrlList(variable: string, value: string, shape: UrlShape): ParsedUrl[] {
  const parsed = splitUrlList(value, shape.protocols).map((each) => parseUrl(variable, each, shape));
  assertSameButHost(
    variable,
    parsed.map(({ url }) => url),
    shape.path,
  );
  return parsed;
}

/** The host (without an IPv6 address's brackets) and port of a URL, `defaultPort` when it names none. */
function serverNodeOf(url: URL, defaultPort: number): ServerNode {
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? defaultPort : Number(url.port),
  };
}

function databaseConfigOf(env: Environment): DatabaseConfig {
  let { DB_NAME: database, DB_USER: user, DB_PASSWORD: password } = env;
  let nodes: ServerNode[];
  if (env.DATABASE_URL !== undefined) {
    const parsed = parseUrlList('DATABASE_URL', env.DATABASE_URL, URL_SHAPES.DATABASE_URL);
    const first = parsed[0] as ParsedUrl;
    nodes = parsed.map(({ url }) => serverNodeOf(url, 3306));
    database = first.path === '' ? database : first.path;
    user = first.user === '' ? user : first.user;
    password = first.password;
    if (!/^[A-Za-z0-9_$]{1,64}$/.test(database)) {
      throw new Error('DATABASE_URL: the database name must be letters, digits, _ or $ (at most 64)');
    }
  } else nodes = parseHostList('DB_HOST', env.DB_HOST, env.DB_PORT);
  const [first] = nodes as [ServerNode, ...ServerNode[]];
  return {
    host: first.host,
    port: first.port,
    nodes,
    database,
    user,
    password,
    address: `${nodes.map(nodeAddress).join(', ')}/${database}`,
    tls: env.DB_TLS === 'true' || env.DB_TLS_CA !== undefined,
    tlsCaFile: env.DB_TLS_CA,
  };
}

/** DB_READ_HOST's nodes with the writers' login, database and TLS; undefined when unset. */
function readDatabaseConfigOf(env: Environment, db: DatabaseConfig): DatabaseConfig | undefined {
  if (env.DB_READ_HOST === undefined) return undefined;
  const nodes = parseHostList('DB_READ_HOST', env.DB_READ_HOST, env.DB_PORT);
  const [first] = nodes as [ServerNode, ...ServerNode[]];
  return {
    ...db,
    host: first.host,
    port: first.port,
    nodes,
    address: `${nodes.map(nodeAddress).join(', ')}/${db.database}`,
  };
}

/** A connection URL with its user name, password and path (without its `/`) percent-decoded. */
interface ParsedUrl {
  readonly url: URL;
  readonly user: string;
  readonly password: string;
  readonly path: string;
}

function parseUrl(variable: string, value: string, { protocols, path }: UrlShape): ParsedUrl {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${variable}: not a valid URL (expected ${protocols[0]}//user:password@host:port/…)`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new Error(`${variable}: the scheme must be ${protocols.join(' or ')}, not ${url.protocol}`);
  }
  // Decoded here, even where the client decodes it again (the broker's URL), so that a stray `%`
  // is reported at start under the variable's name, not later as a bare "URI malformed".
  return {
    url,
    user: decodedPart(variable, 'user name', url.username),
    password: decodedPart(variable, 'password', url.password),
    path: decodedPart(variable, path, url.pathname.slice(1)),
  };
}

/** `text` percent-decoded; the error names the part but never quotes it (it may be the password). */
function decodedPart(variable: string, part: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new Error(
      `${variable}: the ${part} is not valid percent-encoding (each % must begin a %XX escape of UTF-8 bytes; write a literal % as %25)`,
    );
  }
}

function describeIssues(
  error: z.ZodError,
  input: Record<string, unknown>,
  nameOf: (key: string) => string,
): string[] {
  return error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const shown = SECRET_VARIABLES.has(key) ? '' : ` (got ${JSON.stringify(input[key])})`;
    return `${nameOf(key)}: ${issue.message}${shown}`;
  });
}

/** `batchLines` → `--batch-lines`: tuning problems are reported under the option the user typed. */
function optionName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** Empty variables (`DB_HOST=` in a .env) mean "use the default", except for passwords. */
function blankToUndefined(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) {
    result[key] = value === '' && !key.endsWith('PASSWORD') ? undefined : value;
  }
  return result;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
