/**
 * Where the queues sit in a cluster: each quorum queue's members and leader, and the running nodes,
 * read from RabbitMQ's management API (AMQP tells neither). `setup` reads it to warn about a queue
 * with fewer members than the cluster has running nodes: a queue declared before its nodes joined
 * keeps the members it was made with, and does not grow by itself.
 */

/** Where the management API answers, and its login. */
export interface ManagementEndpoint {
  /** Tried in order; the first that answers is read. Without credentials. */
  readonly urls: readonly string[];
  readonly user: string;
  readonly password: string;
}

export interface QueuePlacement {
  readonly queue: string;
  /** The nodes holding a copy of the queue (one for a queue declared on a lone node). */
  readonly members: readonly string[];
  readonly leader: string | undefined;
}

export interface ClusterView {
  /** The management API that answered. */
  readonly api: string;
  readonly runningNodes: readonly string[];
  /** The queues asked for that exist. */
  readonly queues: readonly QueuePlacement[];
}

/** A queue with fewer members than running nodes, and the nodes it lacks. */
export interface MemberShortfall {
  readonly queue: string;
  readonly members: number;
  readonly runningNodes: number;
  readonly missingOn: readonly string[];
}

/**
 * Reads the running nodes and the placement of `queues` in `vhost` from the first URL that answers;
 * resolves with the reason when none does (the API is a plugin: it may be off, or elsewhere).
 */
export async function readClusterView(
  endpoint: ManagementEndpoint,
  vhost: string,
  queues: readonly string[],
  timeoutMs: number,
): Promise<ClusterView | { readonly unreadable: string }> {
  const reasons: string[] = [];
  for (const api of endpoint.urls) {
    const get = (path: string): Promise<unknown> => getJson(new URL(path, api), endpoint, timeoutMs);
    try {
      const nodes = (await get('api/nodes')) as ReadonlyArray<{ name?: string; running?: boolean }>;
      const placements: QueuePlacement[] = [];
      for (const queue of queues) {
        const found = (await get(`api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`)) as
          { members?: string[]; leader?: string } | undefined;
        if (found) placements.push({ queue, members: found.members ?? [], leader: found.leader });
      }
      return {
        api,
        runningNodes: nodes.filter((node) => node.running === true).map((node) => String(node.name)),
        queues: placements,
      };
    } catch (error) {
      reasons.push(`${api}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { unreadable: reasons.join('; ') };
}

/** The queues that have fewer members than the cluster has running nodes. */
export function memberShortfalls(view: ClusterView): MemberShortfall[] {
  return view.queues
    .filter((placement) => placement.members.length < view.runningNodes.length)
    .map((placement) => ({
      queue: placement.queue,
      members: placement.members.length,
      runningNodes: view.runningNodes.length,
      missingOn: view.runningNodes.filter((node) => !placement.members.includes(node)),
    }));
}

/** The commands that add a member of every queue of `vhost` on each node where one lacks it. */
export function growCommands(shortfalls: readonly MemberShortfall[], vhost: string): string[] {
  const nodes = [...new Set(shortfalls.flatMap((shortfall) => shortfall.missingOn))];
  const queues = shortfalls.map((shortfall) => shortfall.queue).join('|');
  const vhostPattern = `^${vhost.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  return nodes.map(
    (node) =>
      `rabbitmq-queues grow ${node} all --vhost-pattern '${vhostPattern}' --queue-pattern '^(${queues})$'`,
  );
}

/** A GET of the management API: the JSON body, undefined for a 404, an error otherwise. */
async function getJson(url: URL, endpoint: ManagementEndpoint, timeoutMs: number): Promise<unknown> {
  const login = Buffer.from(`${endpoint.user}:${endpoint.password}`).toString('base64');
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Basic ${login}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new Error(cause ?? (error instanceof Error ? error.message : String(error)));
  }
  if (response.status === 404 && url.pathname.includes('/api/queues/')) return undefined;
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}
