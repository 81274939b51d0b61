/**
 * Lists of server nodes: `RABBIT_HOST=host[:port],…` and `RABBIT_URL=amqp://…,amqp://…` for the
 * broker, `DB_HOST=host[:port],…` and `DATABASE_URL=mysql://…,mysql://…` for the database. Each client
 * library moves to another node by itself when its node goes away (rabbitmq-client round-robin,
 * mysql2's pool cluster in order); these functions only read and check the lists, so that a malformed
 * one is a usage error naming its variable instead of an "Invalid URL" from deep inside a connection
 * attempt.
 */

/** One server node. */
export interface ServerNode {
  readonly host: string;
  readonly port: number;
}

/** `host:port`, with an IPv6 address in brackets: for messages. */
export function nodeAddress(node: ServerNode): string {
  return `${node.host.includes(':') ? `[${node.host}]` : node.host}:${node.port}`;
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const BARE_IPV6 = /^[0-9A-Fa-f:.]+(%[\w.-]+)?$/;
const PORT = /^\d{1,5}$/;

/**
 * `RABBIT_HOST` or `DB_HOST` (the `variable`): one host (a name, an IPv4 address or a bare IPv6
 * address, as before lists), or a comma-separated list of `host[:port]`, where `port` defaults to
 * `defaultPort` (RABBIT_PORT, DB_PORT). Throws an `Error` whose message names the variable and the
 * entry (hosts are not secret).
 */
export function parseHostList(variable: string, value: string, defaultPort: number): ServerNode[] {
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.length === 1 && BARE_IPV6.test(entries[0] ?? '') && (entries[0] ?? '').split(':').length > 2) {
    return [{ host: entries[0] ?? '', port: defaultPort }];
  }
  return entries.map((entry) => parseHostEntry(variable, entry, defaultPort));
}

function parseHostEntry(variable: string, entry: string, defaultPort: number): ServerNode {
  const usage = `${variable}: "${entry}" is not host[:port] (a list is comma-separated: host1:port,host2:port)`;
  if (entry === '') throw new Error(`${variable}: an empty entry in the list (a stray comma?)`);
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(.*))?$/.exec(entry);
  const [host, port] = bracketed ? [bracketed[1] ?? '', bracketed[2]] : splitHostPort(variable, entry);
  if (!bracketed && !HOST_NAME.test(host)) throw new Error(usage);
  if (port === undefined) return { host, port: defaultPort };
  if (!PORT.test(port)) throw new Error(usage);
  const number = Number(port);
  if (number < 1 || number > 65535) {
    throw new Error(`${variable}: the port of "${entry}" must be a whole number from 1 to 65535`);
  }
  return { host, port: number };
}

function splitHostPort(variable: string, entry: string): [string, string | undefined] {
  const colon = entry.indexOf(':');
  if (colon === -1) return [entry, undefined];
  if (entry.indexOf(':', colon + 1) !== -1) {
    throw new Error(
      `${variable}: "${entry}" has several colons; write an IPv6 address alone, or in brackets with its port ([::1]:5672)`,
    );
  }
  return [entry.slice(0, colon), entry.slice(colon + 1)];
}

/**
 * `RABBIT_URL` or `DATABASE_URL`: one URL, or several separated by commas. A comma splits only where
 * the next URL begins (`,` then one of `schemes` and `://`), so a password may still hold a comma.
 */
export function splitUrlList(value: string, schemes: readonly string[]): string[] {
  const next = new RegExp(
    `,(?=\\s*(?:${schemes.map((scheme) => scheme.replace(/:$/, '')).join('|')}):\\/\\/)`,
    'i',
  );
  return value.split(next).map((entry) => entry.trim());
}

/**
 * The URLs of a list must name the same login, path (vhost, database) and options: the client keeps
 * one set of them for every node and takes only the host and port of each.
 */
export function assertSameButHost(variable: string, urls: readonly URL[], pathName: string): void {
  const [first, ...others] = urls;
  if (first === undefined) return;
  const identity = (url: URL): string =>
    [url.protocol, url.username, url.password, url.pathname, url.search].join('\n');
  if (others.some((url) => identity(url) !== identity(first))) {
    throw new Error(
      `${variable}: the URLs of a list must differ only in host and port (same scheme, user, password, ${pathName} and options)`,
    );
  }
}

/** rabbitmq-client splits each node at its first colon, so an IPv6 address cannot be in its list. */
export function refuseIpv6InList(variable: string, nodes: readonly ServerNode[]): void {
  if (nodes.length < 2) return;
  const ipv6 = nodes.find((node) => node.host.includes(':'));
  if (ipv6) {
    throw new Error(
      `${variable}: an IPv6 address (${ipv6.host}) cannot be in a list of nodes (the client takes host:port); use a host name`,
    );
  }
}
