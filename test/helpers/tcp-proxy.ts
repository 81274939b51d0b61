/**
 * A TCP proxy the test owns, in front of a real service (the Toxiproxy approach): the test can cut
 * every connection and refuse new ones for a while, then let traffic through again, without touching
 * the machine's shared RabbitMQ or MariaDB.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Destroys every open connection and refuses new ones until `restore`. */
  cut(): void;
  /** Accepts and forwards connections again. */
  restore(): void;
  /** Connections opened through the proxy so far (a reconnect shows as one more). */
  readonly connectionsOpened: number;
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  /**
   * Forwards this many connections, then drops every later one as it opens: a server that went
   * away right after it first answered.
   */
  readonly forwardFirst?: number;
}

export async function startTcpProxy(
  targetPort: number,
  targetHost = '127.0.0.1',
  options: TcpProxyOptions = {},
): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let down = false;
  let connectionsOpened = 0;
  const server = net.createServer((client) => {
    if (down || connectionsOpened >= (options.forwardFirst ?? Number.POSITIVE_INFINITY)) {
      client.destroy();
      return;
    }
    connectionsOpened++;
    const upstream = net.connect(targetPort, targetHost);
    open.add(client);
    open.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    get connectionsOpened() {
      return connectionsOpened;
    },
    cut() {
      down = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    restore() {
      down = false;
    },
    async close() {
      down = true;
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
