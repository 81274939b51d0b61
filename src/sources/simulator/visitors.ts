/**
 * Visits: who comes (a person with a browser, a crawler, a script, a monitor, a scanner), from where,
 * and the requests of their visit, one at a time. A person's page is followed by its assets (cached
 * ones revalidated with 304), a crawler starts with robots.txt, a scanner probes for leaked files.
 */
import { addressIn, cloudIpv4, publicIpv4, publicIpv6, visitorAddress } from './addresses.js';
import { ROBOTS, browserAgent, type Robot } from './agents.js';
import { Weighted, type Random } from './random.js';
import { hit, type Hit } from './responses.js';
import { SITES, type Site, type VisitState } from './sites.js';
import { SERVICE_ACCOUNTS, sessionId } from './users.js';

/** One request with everything a log line says about it. */
export interface Request {
  readonly ip: string;
  readonly session: string | null;
  readonly user: string | null;
  readonly method: string;
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  /** Path and query. */
  readonly target: string;
  readonly httpVersion: string;
  readonly status: number;
  readonly bytes: number;
  readonly referrer: string | null;
  readonly userAgent: string | null;
}

/** A visit in progress: the requests already decided, and how many steps remain. */
export interface Visitor extends VisitState {
  loggedIn: boolean;
  readonly ip: string;
  readonly userAgent: string | null;
  readonly httpVersion: string;
  readonly site: Site;
  readonly account: string | null;
  readonly robot: Robot | null;
  session: string | null;
  /** Steps left after the pending requests. */
  steps: number;
  readonly pending: Request[];
  /** Index of the next pending request. */
  head: number;
  /** The last page shown, as a browser sends it as the referrer. */
  referrer: string | null;
  /** The browser has the site's assets cached. */
  cached: boolean;
  /** The next request comes over plain http first, and is redirected to https. */
  plainHttpFirst: boolean;
  /** At least one step was planned. */
  started: boolean;
}

const LANDING_REFERRERS = new Weighted<string | null>([
  [38, null],
  [22, 'https://www.google.com/'],
  [5, 'https://www.google.de/'],
  [4, 'https://www.google.co.in/'],
  [3, 'https://www.google.com.br/'],
  [6, 'https://www.bing.com/'],
  [3, 'https://duckduckgo.com/'],
  [2, 'https://search.yahoo.co.jp/'],
  [2, 'https://yandex.ru/'],
  [4, 'https://t.co/'],
  [3, 'https://www.reddit.com/'],
  [3, 'https://www.facebook.com/'],
  [2, 'https://www.linkedin.com/'],
  [3, 'https://scholar.google.com/'],
]);

const SCANNER_PROBES: readonly (readonly [string, string])[] = [
  ['GET', '/.env'],
  ['GET', '/.git/config'],
  ['GET', '/wp-login.php'],
  ['POST', '/xmlrpc.php'],
  ['GET', '/wp-admin/setup-config.php'],
  ['GET', '/phpmyadmin/index.php'],
  ['GET', '/.aws/credentials'],
  ['GET', '/actuator/env'],
  ['GET', '/server-status'],
  ['POST', '/boaform/admin/formLogin'],
  ['GET', '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php'],
  ['GET', '/cgi-bin/luci/;stok=/locale'],
];

const SCANNER_STATUS = new Weighted<number>([
  [80, 404],
  [12, 403],
  [5, 400],
  [3, 301],
]);

const CRAWL_STATUS = new Weighted<number>([
  [84, 200],
  [6, 304],
  [6, 404],
  [3, 301],
  [1, 410],
]);

/** A new visit: a person four times out of five, a robot otherwise. */
export function newVisitor(rng: Random, accounts: readonly string[]): Visitor {
  const site = SITES.draw(rng);
  if (rng.chance(0.8)) {
    const loggedIn = rng.chance(0.3);
    return {
      ip: visitorAddress(rng),
      userAgent: browserAgent(rng),
      httpVersion: rng.chance(0.55) ? 'HTTP/2.0' : 'HTTP/1.1',
      site,
      account: rng.pick(accounts),
      robot: null,
      loggedIn,
      session: loggedIn || rng.chance(0.6) ? sessionId(rng) : null,
      steps: 1 + Math.min(24, Math.floor(rng.exponential(3))),
      pending: [],
      head: 0,
      referrer: LANDING_REFERRERS.draw(rng),
      cached: rng.chance(0.35),
      plainHttpFirst: rng.chance(0.05),
      started: false,
    };
  }
  const robot = ROBOTS.draw(rng);
  const ip =
    robot.prefixes.length > 0
      ? addressIn(rng.pick(robot.prefixes), rng)
      : rng.chance(0.8)
        ? cloudIpv4(rng)
        : rng.chance(0.5)
          ? publicIpv4(rng)
          : publicIpv6(rng);
  const steps =
    robot.kind === 'crawler' ? rng.between(3, 40) : robot.kind === 'monitor' ? 1 : rng.between(2, 15);
  const oldClient = robot.kind === 'scanner' || robot.userAgent?.startsWith('Wget') === true;
  return {
    ip,
    userAgent: robot.userAgent,
    httpVersion: oldClient && rng.chance(0.5) ? 'HTTP/1.0' : 'HTTP/1.1',
    site,
    account: robot.kind === 'script' && rng.chance(0.5) ? rng.pick(SERVICE_ACCOUNTS) : null,
    robot,
    loggedIn: robot.kind === 'script',
    session: null,
    steps,
    pending: [],
    head: 0,
    referrer: null,
    cached: false,
    plainHttpFirst: robot.kind === 'scanner' ? rng.chance(0.5) : rng.chance(0.03),
    started: false,
  };
}

/** True once the visit has nothing left to ask. */
export function isDone(visitor: Visitor): boolean {
  return visitor.steps <= 0 && visitor.head >= visitor.pending.length;
}

/** The visit's next request. Call only while `isDone` is false. */
export function nextRequest(rng: Random, visitor: Visitor): Request {
  if (visitor.head >= visitor.pending.length) {
    visitor.pending.length = 0;
    visitor.head = 0;
    visitor.steps--;
    plan(rng, visitor);
  }
  const request = visitor.pending[visitor.head++] as Request;
  if (visitor.head >= visitor.pending.length) {
    visitor.pending.length = 0;
    visitor.head = 0;
  }
  return request;
}

function request(visitor: Visitor, h: Hit, scheme: 'http' | 'https', referrer: string | null): Request {
  return {
    ip: visitor.ip,
    session: visitor.session,
    user: visitor.loggedIn ? visitor.account : null,
    method: h.method,
    scheme,
    host: visitor.site.host,
    port: scheme === 'https' ? 443 : 80,
    target: h.target,
    httpVersion: visitor.httpVersion,
    status: h.status,
    bytes: h.bytes,
    referrer,
    userAgent: visitor.userAgent,
  };
}

// Queues the hits of one step, with a plain-http first request redirected to https before them.
function queue(rng: Random, visitor: Visitor, hits: readonly Hit[]): void {
  for (const h of hits) {
    if (visitor.plainHttpFirst) {
      visitor.plainHttpFirst = false;
      const redirect = hit(rng, h.method, h.target, 301, 'html');
      visitor.pending.push(request(visitor, redirect, 'http', visitor.referrer));
    }
    visitor.pending.push(request(visitor, h, 'https', visitor.referrer));
    if (h.signsIn === true) {
      visitor.loggedIn = true;
      visitor.session ??= sessionId(rng);
    }
    if (h.page && visitor.robot === null) {
      const pageUrl = `https://${visitor.site.host}${h.target}`;
      queueAssets(rng, visitor, pageUrl);
      visitor.referrer = pageUrl;
    }
  }
}

function queueAssets(rng: Random, visitor: Visitor, pageUrl: string): void {
  const site = visitor.site;
  for (const asset of site.assets) {
    if (!visitor.cached) {
      const fetched: Hit = {
        method: 'GET',
        target: asset.path,
        status: 200,
        bytes: asset.bytes,
        page: false,
      };
      visitor.pending.push(request(visitor, fetched, 'https', pageUrl));
    } else if (rng.chance(0.25)) {
      visitor.pending.push(request(visitor, hit(rng, 'GET', asset.path, 304, asset.kind), 'https', pageUrl));
    }
  }
  if (!visitor.cached && rng.chance(0.08)) {
    visitor.pending.push(
      request(visitor, hit(rng, 'GET', '/apple-touch-icon.png', 404, 'image'), 'https', null),
    );
  }
  visitor.cached = true;
  for (let images = rng.below(5); images > 0; images--) {
    const status = rng.chance(0.03) ? 404 : 200;
    visitor.pending.push(
      request(visitor, hit(rng, 'GET', site.image(rng), status, 'image'), 'https', pageUrl),
    );
  }
}

// Decides the requests of the visit's next step.
function plan(rng: Random, visitor: Visitor): void {
  const robot = visitor.robot;
  if (robot === null) {
    visitor.started = true;
    queue(rng, visitor, visitor.site.browse(rng, visitor));
    return;
  }
  switch (robot.kind) {
    case 'crawler':
      if (!visitor.started) {
        visitor.started = true;
        queue(rng, visitor, [hit(rng, 'GET', '/robots.txt', rng.chance(0.9) ? 200 : 404, 'text')]);
        return;
      }
      if (rng.chance(0.06)) {
        queue(rng, visitor, [hit(rng, 'GET', '/sitemap.xml', 200, 'feed')]);
        return;
      }
      queue(rng, visitor, [
        hit(rng, rng.chance(0.05) ? 'HEAD' : 'GET', visitor.site.crawl(rng), CRAWL_STATUS.draw(rng), 'html'),
      ]);
      return;
    case 'script':
      queue(rng, visitor, [rng.chance(0.15) ? hit(rng, 'HEAD', '/', 200, 'html') : visitor.site.script(rng)]);
      return;
    case 'monitor': {
      const status = rng.chance(0.97) ? 200 : rng.pick([502, 503]);
      queue(rng, visitor, [hit(rng, 'HEAD', '/', status, 'html')]);
      return;
    }
    case 'scanner': {
      const [method, target] = rng.pick(SCANNER_PROBES);
      queue(rng, visitor, [hit(rng, method, target, SCANNER_STATUS.draw(rng), 'html')]);
      return;
    }
  }
}
