/**
 * Requests as the simulator models them before they are written as lines, and the status codes and
 * body sizes that fit each kind of resource.
 */
import { Weighted, type Random } from './random.js';

/** One request and its response, scheme and host aside. */
export interface Hit {
  readonly method: string;
  /** Path and query, as a server logs them in path-only formats. */
  readonly target: string;
  readonly status: number;
  /** Body bytes sent; 0 for 204, 304, HEAD and OPTIONS. */
  readonly bytes: number;
  /** An HTML page that rendered: a browser then fetches its assets. */
  readonly page: boolean;
  /** A successful sign-in: the requests after it carry the user. */
  readonly signsIn?: boolean;
}

/** What a response's body is: decides its size. */
export type BodyKind = 'html' | 'json' | 'text' | 'pdf' | 'feed' | 'css' | 'js' | 'image' | 'font';

const PAGE_STATUS = new Weighted<number>([
  [900, 200],
  [32, 404],
  [20, 301],
  [10, 302],
  [14, 304],
  [6, 403],
  [8, 500],
  [6, 502],
  [4, 503],
]);

const API_STATUS = new Weighted<number>([
  [930, 200],
  [15, 400],
  [10, 401],
  [8, 404],
  [12, 422],
  [8, 429],
  [7, 500],
  [6, 502],
  [4, 503],
]);

/** The status of a page a human asks for: mostly 200, some 404 and redirects, rare 5xx. */
export function pageStatus(rng: Random): number {
  return PAGE_STATUS.draw(rng);
}

/** The status of an API call; `okStatus` is the success code of its method (201, 204…). */
export function apiStatus(rng: Random, okStatus = 200): number {
  const status = API_STATUS.draw(rng);
  return status === 200 ? okStatus : status;
}

const KIND_SIZES: Readonly<Record<BodyKind, readonly [number, number]>> = {
  html: [6_000, 120_000],
  json: [60, 24_000],
  text: [120, 6_000],
  pdf: [150_000, 6_000_000],
  feed: [8_000, 60_000],
  css: [2_000, 90_000],
  js: [8_000, 600_000],
  image: [800, 450_000],
  font: [14_000, 90_000],
};

/** A body size that fits the status and the kind of resource. */
export function bodyBytes(rng: Random, method: string, status: number, kind: BodyKind): number {
  if (method === 'HEAD' || method === 'OPTIONS' || status === 204 || status === 304) return 0;
  if (status >= 300 && status < 400) return rng.between(150, 600);
  if (status >= 500) return rng.between(180, 1_600);
  if (status >= 400) return kind === 'json' ? rng.between(40, 400) : rng.logUniform(400, 6_000);
  const [min, max] = KIND_SIZES[kind];
  return rng.logUniform(min, max);
}

/** A request for `target` answered with `status` and a body of `kind`. */
export function hit(rng: Random, method: string, target: string, status: number, kind: BodyKind): Hit {
  return {
    method,
    target,
    status,
    bytes: bodyBytes(rng, method, status, kind),
    page: kind === 'html' && status === 200 && method === 'GET',
  };
}

/** A GET of an HTML page with a drawn status. */
export function pageHit(rng: Random, target: string): Hit {
  return hit(rng, 'GET', target, pageStatus(rng), 'html');
}
