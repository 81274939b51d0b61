/**
 * The JSON API behind the page: traffic over a range (`/api/traffic`, whole minutes), the top values
 * of a column (`/api/top/:dimension`, whole hours), a search of requests paged by key
 * (`/api/requests`), the sources, the span of the data, the range to open on and how far back lines
 * and rollups go (`/api/span`), the pipeline's recent samples (`/api/pipeline`), and how far behind
 * the node the dashboard reads from is when it is a replica or a Galera node (`/api/read-lag`). Each answers with
 * what one panel draws, and the traffic panels with the range they counted.
 */
import type { FastifyInstance } from 'fastify';
import { RollupsMissingError } from '../store/index.js';
import type { StatsReader, TrafficFilter } from '../store/index.js';
import type { PipelineSampler } from './pipeline-sampler.js';
import {
  BadQueryError,
  RANGE_PRESETS,
  bucketSecondsFor,
  cursorOf,
  defaultRangeFor,
  rangeQueryOf,
  searchQueryOf,
  topQueryOf,
} from './query-params.js';
import type { RangeQuery } from './query-params.js';

export interface ApiRoutesOptions {
  readonly stats: StatsReader;
  readonly pipeline: PipelineSampler;
  /** Now, epoch ms (tests pin it). */
  readonly now?: () => number;
}

/** The range a query names, as the store takes it: a preset relative to now, `all`, or from/to. */
async function filterOf(query: RangeQuery, stats: StatsReader, now: number): Promise<TrafficFilter> {
  const { source } = query;
  if (query.from !== undefined && query.to !== undefined) {
    return { from: new Date(query.from), to: new Date(query.to), source };
  }
  if (query.range === 'all') {
    const bounds = await stats.bounds(source);
    if (bounds) return { from: new Date(bounds.firstMs), to: new Date(bounds.lastMs + 1), source };
    return { from: new Date(now - RANGE_PRESETS['24h']), to: new Date(now + 1), source };
  }
  return { from: new Date(now - RANGE_PRESETS[query.range]), to: new Date(now + 1), source };
}

export function registerApiRoutes(app: FastifyInstance, options: ApiRoutesOptions): void {
  const { stats, pipeline } = options;
  const now = options.now ?? Date.now;

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof BadQueryError) return reply.code(400).send({ error: error.message });
    if (error instanceof RollupsMissingError) return reply.code(503).send({ error: error.message });
    app.log.error(
      { error: error instanceof Error ? error.message : String(error) },
      'dashboard query failed',
    );
    return reply.code(500).send({ error: 'the query failed; see the server log' });
  });

  app.get('/api/sources', async () => ({ sources: await stats.sources() }));

  app.get('/api/span', async (request) => {
    const { source } = rangeQueryOf(request.query);
    const at = now();
    const [span, history] = await Promise.all([stats.bounds(source), stats.history()]);
    return {
      source: source ?? null,
      firstMs: span?.firstMs ?? null,
      lastMs: span?.lastMs ?? null,
      now: at,
      range: defaultRangeFor(span, at),
      history,
    };
  });

  app.get('/api/traffic', async (request) => {
    // Every row stored before this time is counted; the page shows it, as the live row count runs ahead.
    const computedAt = now();
    const filter = await filterOf(rangeQueryOf(request.query), stats, computedAt);
    const bucketSeconds = bucketSecondsFor(filter.to.getTime() - filter.from.getTime());
    // from and to: the range counted, in whole minutes (the rollups' finest bucket).
    const {
      from,
      to,
      bucketSeconds: counted,
      summary,
      series,
      hours,
    } = await stats.traffic(filter, bucketSeconds);
    return {
      from,
      to,
      source: filter.source ?? null,
      bucketSeconds: counted,
      computedAt,
      summary,
      series,
      hours,
    };
  });

  app.get('/api/top/:dimension', async (request) => {
    const { dimension, limit } = topQueryOf(request.params, request.query);
    const filter = await filterOf(rangeQueryOf(request.query), stats, now());
    return stats.top(dimension, filter, limit);
  });

  app.get('/api/requests', async (request) => {
    const search = searchQueryOf(request.query);
    const filter = await filterOf(rangeQueryOf(request.query), stats, now());
    const page = await stats.search({ ...filter, ...search.criteria }, search.limit, search.after);
    return { rows: page.rows, next: cursorOf(page.next) };
  });

  app.get('/api/read-lag', async () => ({ lag: await stats.readLag() }));

  app.get('/api/pipeline', async () => {
    if (pipeline.history().length === 0) await pipeline.sampleNow();
    return { samples: pipeline.history() };
  });
}
