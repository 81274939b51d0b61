/**
 * Lists of broker nodes: `RABBIT_HOST=host[:port],…` and `RABBIT_URL=amqp://…,amqp://…`. The client
 * library takes the nodes as `host:port` strings and moves round-robin to the next one when its node
 * goes away; these functions only read and check the lists, so that a malformed one is a usage error
 * naming its variable instead of an "Invalid URL" from deep inside a connection attempt.
 */

/** One broker node, as the client library takes it. */
export interface BrokerNode {
  readonly host: string;
  readonly port: number;
}

/** `host:port`, with an IPv6 address in brackets: for messages. */
export function nodeAddress(node: BrokerNode): string {
  return `${node.host.includes(':') ? `[${node.host}]` : node.host}:${node.port}`;
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const BARE_IPV6 = /^[0-9A-Fa-f:.]+(%[\w.-]+)?$/;
const PORT = /^\d{1,5}$/;

/**
 * `RABBIT_HOST`: one host (a name, an IPv4 address or a bare IPv6 address, as before lists), or a
 * comma-separated list of `host[:port]`, where `port` defaults to `defaultPort` (RABBIT_PORT).
 * Throws an `Error` whose message names the variable and the entry (hosts are not secret).
 */
export function parseHostList(value: string, defaultPort: number): BrokerNode[] {
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.length === 1 && BARE_IPV6.test(entries[0] ?? '') && (entries[0] ?? '').split(':').length > 2) {
    return [{ host: entries[0] ?? '', port: defaultPort }];
  }
  const nodes = entries.map((entry) => parseHostEntry(entry, defaultPort));
  if (nodes.length > 1) refuseIpv6InList('RABBIT_HOST', nodes);
  return nodes;
}

function parseHostEntry(entry: string, defaultPort: number): BrokerNode {
  const usage = `RABBIT_HOST: "${entry}" is not host[:port] (a list is comma-separated: mq1:5672,mq2:5672)`;
  if (entry === '') throw new Error('RABBIT_HOST: an empty entry in the list (a stray comma?)');
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(.*))?$/.exec(entry);
  const [host, port] = bracketed ? [bracketed[1] ?? '', bracketed[2]] : splitHostPort(entry);
  if (!bracketed && !HOST_NAME.test(host)) throw new Error(usage);
  if (port === undefined) return { host, port: defaultPort };
  if (!PORT.test(port)) throw new Error(usage);
  const number = Number(port);
  if (number < 1 || number > 65535) {
    throw new Error(`RABBIT_HOST: the port of "${entry}" must be a whole number from 1 to 65535`);
  }
  return { host, port: number };
}

function splitHostPort(entry: string): [string, string | undefined] {
  const colon = entry.indexOf(':');
  if (colon === -1) return [entry, undefined];
  if (entry.indexOf(':', colon + 1) !== -1) {
    throw new Error(
      `RABBIT_HOST: "${entry}" has several colons; write an IPv6 address alone, or in brackets with its port ([::1]:5672)`,
    );
  }
  return [entry.slice(0, colon), entry.slice(colon + 1)];
}

/**
 * `RABBIT_URL`: one URL, or several separated by commas. A comma splits only where the next URL
 * begins (`,amqp://` or `,amqps://`), so a password may still hold a comma.
 */
export function splitUrlList(value: string): string[] {
  return value.split(/,(?=\s*amqps?:\/\/)/i).map((entry) => entry.trim());
}

/**
 * The URLs of a list must name the same broker login, vhost and options: the client library keeps
 * one set of them for every node and takes only the host and port of each.
 */
export function assertSameButHost(urls: readonly URL[]): void {
  const [first, ...others] = urls;
  if (first === undefined) return;
  const identity = (url: URL): string =>
    [url.protocol, url.username, url.password, url.pathname, url.search].join('\n');
  if (others.some((url) => identity(url) !== identity(first))) {
    throw new Error(
      'RABBIT_URL: the URLs of a list must differ only in host and port (same scheme, user, password, vhost and options)',
    );
  }
  const nodes = urls.map((url) => ({ host: url.hostname.replace(/^\[|\]$/g, ''), port: 0 }));
  if (nodes.length > 1) refuseIpv6InList('RABBIT_URL', nodes);
}

/** rabbitmq-client splits each node at its first colon, so an IPv6 address cannot be in a list. */
function refuseIpv6InList(variable: string, nodes: readonly BrokerNode[]): void {
  const ipv6 = nodes.find((node) => node.host.includes(':'));
  if (ipv6) {
    throw new Error(
      `${variable}: an IPv6 address (${ipv6.host}) cannot be in a list of nodes (the client takes host:port); use a host name`,
    );
  }
}
