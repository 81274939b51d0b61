/**
 * The query strings the dashboard API accepts, validated with zod: a bad value is a 400 naming the
 * parameter, never a query. What passes is handed to the store as values (bound parameters).
 */
import { z } from 'zod';
import { TOP_DIMENSIONS } from '../store/index.js';
import type { RequestCursor, RequestSearch, TopDimension, TrafficFilter } from '../store/index.js';

/** Range presets, relative to now; `all` spans the data of the chosen source. */
export const RANGE_PRESETS = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 24 * 3_600_000,
  '30d': 30 * 24 * 3_600_000,
} as const;
export type RangePreset = keyof typeof RANGE_PRESETS | 'all';

const epochMs = z.coerce.number().int().min(0).max(8_640_000_000_000_000);
const optionalText = (max: number) => z.string().trim().min(1).max(max).optional();

const rangeSchema = z
  .object({
    range: z.enum(['15m', '1h', '6h', '24h', '7d', '30d', 'all']).default('24h'),
    from: epochMs.optional(),
    to: epochMs.optional(),
    source: optionalText(255),
  })
  .refine((value) => (value.from === undefined) === (value.to === undefined), {
    message: 'give both from and to, or neither',
    path: ['from'],
  })
  .refine((value) => value.from === undefined || value.to === undefined || value.from < value.to, {
    message: 'from must be before to',
    path: ['from'],
  });

export type RangeQuery = z.infer<typeof rangeSchema>;

const topSchema = z.object({
  dimension: z.enum(TOP_DIMENSIONS),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});

const searchSchema = z.object({
  status: z
    .string()
    .regex(/^([1-5]\d\d|[1-5]xx)$/i, 'expected a status like 404 or a class like 4xx')
    .optional(),
  path: optionalText(255),
  ip: optionalText(45),
  user: optionalText(255),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,16}-[0-9a-f]{32}$/, 'expected the cursor of a previous page')
    .optional(),
});

/** A bad query string: the route answers 400 with this message. */
export class BadQueryError extends Error {}

function parse<T>(schema: z.ZodType<T>, query: unknown): T {
  const result = schema.safeParse(query ?? {});
  if (result.success) return result.data;
  throw new BadQueryError(
    result.error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`).join('; '),
  );
}

export function rangeQueryOf(query: unknown): RangeQuery {
  return parse(rangeSchema, query);
}

export function topQueryOf(params: unknown, query: unknown): { dimension: TopDimension; limit: number } {
  return parse(topSchema, { ...(params as object), ...(query as object) });
}

export interface SearchQuery {
  readonly criteria: Omit<RequestSearch, keyof TrafficFilter>;
  readonly limit: number;
  readonly after: RequestCursor | undefined;
}

export function searchQueryOf(query: unknown): SearchQuery {
  const value = parse(searchSchema, query);
  let after: RequestCursor | undefined;
  if (value.cursor !== undefined) {
    const [ms, hex] = value.cursor.split('-') as [string, string];
    after = { ts: new Date(Number(ms)), eventId: Buffer.from(hex, 'hex') };
  }
  return {
    criteria: { status: value.status, pathPrefix: value.path, ip: value.ip, user: value.user },
    limit: value.limit,
    after,
  };
}

/** The opaque cursor of the next page. */
export function cursorOf(cursor: RequestCursor | null): string | null {
  return cursor === null ? null : `${cursor.ts.getTime()}-${cursor.eventId.toString('hex')}`;
}

/**
 * Steps a series is cut into: about 60 to 200 buckets for ranges of two hours up to a week, and days
 * past a week (a month is 30 points, as web analytics tools chart it). A minute is the finest step:
 * the series is read from the rollups, whose finest bucket it is (a 15-minute range has 15 bars). Day
 * buckets are what keep a month's panel fast: each is one row of rollup_day per source, where hours
 * would be 24, each with its own visitors sketch of up to 4 KiB to read and merge.
 */
const BUCKET_STEPS_S = [60, 300, 900, 1800, 3600, 3 * 3600, 86_400, 7 * 86_400];
/** Ranges longer than this have buckets of a day or more. */
const DAY_BUCKETS_FROM_MS = 7 * 86_400_000;

export function bucketSecondsFor(rangeMs: number): number {
  const wanted = Math.max(Math.round(rangeMs / 1000) / 120, rangeMs > DAY_BUCKETS_FROM_MS ? 86_400 : 0);
  return BUCKET_STEPS_S.find((step) => step >= wanted) ?? (BUCKET_STEPS_S.at(-1) as number);
}

/**
 * Data younger than this is shown as `all` rather than as the last 15 minutes: it would fill a third
 * of that chart at most, a sliver at its right edge.
 */
const YOUNG_DATA_MS = RANGE_PRESETS['15m'] / 3;

/**
 * The range a page opens on, from the data's span: the smallest preset that holds all of it, so the
 * charts are not one spike at their right edge; `all` when there is no data, when it is only minutes
 * old, older than the largest preset, or (clocks apart) later than now.
 */
export function defaultRangeFor(
  span: { readonly firstMs: number; readonly lastMs: number } | null,
  nowMs: number,
): RangePreset {
  if (span === null || span.lastMs > nowMs) return 'all';
  const age = nowMs - span.firstMs;
  if (age < YOUNG_DATA_MS) return 'all';
  const presets = Object.entries(RANGE_PRESETS) as Array<[keyof typeof RANGE_PRESETS, number]>;
  return presets.find(([, rangeMs]) => age < rangeMs)?.[0] ?? 'all';
}
