/**
 * The rollups checked against the lines they sum: for every source, minute, hour and day, the
 * requests, bytes, status classes, bots, humans and first and last times of rollup_minute,
 * rollup_hour and rollup_day equal the aggregates of clean_log; every top value's requests and bytes
 * per hour (rollup_top) and per day (rollup_top_day) equal its GROUP BY; the visitor
 * sketches are within their stated error of COUNT(DISTINCT ip).
 */
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { estimate, emptyRegisters, mergeEncoded } from '../../src/store/rollup/hll.js';
import { OTHER_VALUE_KEY } from '../../src/store/rollup/top-compaction.js';
import type { TopDimension } from '../../src/store/rollup/tally.js';
import type { TestServices } from './services.js';

/**
 * What the docs promise for distinct visitors: within 7 % or 10, whichever is larger (about 4.5
 * standard errors): 20,000 random sets each of 10, 59, 100 and 300 addresses, 4,000 of 1,000 and
 * 1,000 of 3,000 all stayed inside it (the worst: 19 at 300, 45 at 1,000, 125 at 3,000).
 */
export function visitorsWithinBound(estimated: number, exact: number): boolean {
  return Math.abs(estimated - exact) <= Math.max(10, 0.07 * exact);
}

const TRAFFIC = `COUNT(*) AS requests, SUM(bytes) AS bytes,
  SUM(status BETWEEN 200 AND 299) AS s2xx, SUM(status BETWEEN 300 AND 399) AS s3xx,
  SUM(status BETWEEN 400 AND 499) AS s4xx, SUM(status BETWEEN 500 AND 599) AS s5xx,
  SUM(is_bot <=> 1) AS bots, SUM(is_bot <=> 0) AS humans, MIN(ts) AS first_ts, MAX(ts) AS last_ts,
  COUNT(DISTINCT ip) AS visitors`;

type Row = Record<string, unknown>;
const numberOf = (value: unknown): number => Number(value ?? 0);
/** A DATETIME as the test connection hands it over (a string, UTC), in epoch ms. */
const timeOf = (value: unknown): number =>
  value instanceof Date ? value.getTime() : Date.parse(`${String(value).replace(' ', 'T')}Z`);

/** Checks the rollups of `source` (of every source when not given) against clean_log. */
export async function assertRollupsMatchLines(services: TestServices, source?: string): Promise<void> {
  const sql = await services.sql();
  // After a prune the rollups outlive the lines: compare the days whose lines are kept.
  const keptFrom = await linesKeptFrom(services);
  const conditions = [
    ...(source === undefined ? [] : ['source = ?']),
    ...(keptFrom === undefined ? [] : ['ts >= ?']),
  ];
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  const parameters = [
    ...(source === undefined ? [] : [source]),
    ...(keptFrom === undefined ? [] : [keptFrom]),
  ];
  for (const [table, seconds] of [
    ['rollup_minute', 60],
    ['rollup_hour', 3600],
    ['rollup_day', 86_400],
  ] as const) {
    const [expected] = await sql.query<RowDataPacket[]>(
      `SELECT CAST(source AS BINARY) AS source_bytes,
          FLOOR(TIMESTAMPDIFF(SECOND, '1970-01-01', ts) / ${seconds}) * ${seconds} * 1000 AS bucket_ms, ${TRAFFIC}
        FROM clean_log ${where} GROUP BY source_bytes, bucket_ms`,
      parameters,
    );
    const [stored] = await sql.query<RowDataPacket[]>(
      `SELECT CAST(source AS BINARY) AS source_bytes, bucket, requests, bytes, s2xx, s3xx, s4xx, s5xx, bots, humans,
          first_ts, last_ts, visitors FROM ${table} ${where.replace('ts >=', 'bucket >=')}`,
      parameters,
    );
    const keyOf = (sourceBytes: unknown, bucketMs: number): string =>
      `${(sourceBytes as Buffer).toString('hex')}@${bucketMs}`;
    const storedByKey = new Map(stored.map((row: Row) => [keyOf(row.source_bytes, timeOf(row.bucket)), row]));
    assert.equal(stored.length, expected.length, `${table}: one row per source and bucket that has lines`);
    for (const want of expected as Row[]) {
      const key = keyOf(want.source_bytes, numberOf(want.bucket_ms));
      const got = storedByKey.get(key);
      assert.ok(got !== undefined, `${table}: a row for ${key}`);
      for (const column of ['requests', 'bytes', 's2xx', 's3xx', 's4xx', 's5xx', 'bots', 'humans']) {
        assert.equal(numberOf(got[column]), numberOf(want[column]), `${table} ${key}: ${column}`);
      }
      assert.equal(timeOf(got.first_ts), timeOf(want.first_ts), `${table} ${key}: first_ts`);
      assert.equal(timeOf(got.last_ts), timeOf(want.last_ts), `${table} ${key}: last_ts`);
      const registers = emptyRegisters();
      mergeEncoded(registers, got.visitors as Buffer);
      const estimated = estimate(registers);
      assert.ok(
        visitorsWithinBound(estimated, numberOf(want.visitors)),
        `${table} ${key}: visitors ${estimated}, exactly ${numberOf(want.visitors)}`,
      );
    }
  }
  await assertTopMatchesLines(services, 'rollup_top', 3600, source, keptFrom);
  await assertTopMatchesLines(services, 'rollup_top_day', 86_400, source, keptFrom);
}

/** The first day whose lines `prune` kept (retention_horizon), or undefined when none was pruned. */
async function linesKeptFrom(services: TestServices): Promise<string | undefined> {
  const sql = await services.sql();
  const [rows] = await sql.query<RowDataPacket[]>(`SELECT lines_from FROM retention_horizon WHERE id = 1`);
  return rows[0] === undefined ? undefined : String(rows[0].lines_from);
}

/** What each top panel groups by, in clean_log's terms. */
export const TOP_VALUE: Record<TopDimension, { readonly value: string; readonly where?: string }> = {
  path: { value: 'LEFT(path, 255)' },
  notFound: { value: 'LEFT(path, 255)', where: 'status = 404' },
  host: { value: 'host' },
  country: { value: 'country' },
  browser: { value: 'browser' },
  os: { value: 'os' },
  device: { value: 'device' },
  referrer: { value: 'referrer_host' },
  status: { value: 'CAST(status AS CHAR)' },
  user: { value: 'user' },
};

async function assertTopMatchesLines(
  services: TestServices,
  table: 'rollup_top' | 'rollup_top_day',
  seconds: number,
  source?: string,
  keptFrom?: string,
): Promise<void> {
  const sql = await services.sql();
  for (const [dimension, { value, where }] of Object.entries(TOP_VALUE)) {
    const conditions = [
      where,
      source === undefined ? undefined : 'source = ?',
      keptFrom === undefined ? undefined : 'ts >= ?',
    ].filter(Boolean);
    const parameters = [
      ...(source === undefined ? [] : [source]),
      ...(keptFrom === undefined ? [] : [keptFrom]),
    ];
    const [expected] = await sql.query<RowDataPacket[]>(
      `SELECT CAST(source AS BINARY) AS source_bytes, FLOOR(TIMESTAMPDIFF(SECOND, '1970-01-01', ts) / ${seconds}) * ${seconds} * 1000 AS bucket_ms,
          CAST(${value} AS BINARY) AS value_bytes, COUNT(*) AS requests, SUM(bytes) AS bytes
        FROM clean_log ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
        GROUP BY source_bytes, bucket_ms, value_bytes`,
      parameters,
    );
    const [stored] = await sql.query<RowDataPacket[]>(
      `SELECT CAST(source AS BINARY) AS source_bytes, bucket, value_key, CAST(value AS BINARY) AS value_bytes, requests, bytes
        FROM ${table} WHERE dimension = ? ${source === undefined ? '' : 'AND source = ?'}
          ${keptFrom === undefined ? '' : 'AND bucket >= ?'}`,
      [dimension, ...parameters],
    );
    // A bucket compacted (top-compaction.ts) keeps its most requested values exactly and folds the
    // rest into its "other" row: check the kept ones, and that the totals still hold.
    const groupOf = (sourceBytes: unknown, bucketMs: number): string =>
      `${(sourceBytes as Buffer).toString('hex')}@${bucketMs}`;
    const valueOf = (valueBytes: unknown): string =>
      valueBytes === null ? 'null' : (valueBytes as Buffer).toString('hex');
    const storedGroups = new Map<string, { values: Map<string, Row>; other?: Row }>();
    for (const row of stored as Row[]) {
      const group = groupOf(row.source_bytes, timeOf(row.bucket));
      let entry = storedGroups.get(group);
      if (entry === undefined) storedGroups.set(group, (entry = { values: new Map() }));
      if (OTHER_VALUE_KEY.equals(row.value_key as Buffer)) entry.other = row;
      else entry.values.set(valueOf(row.value_bytes), row);
    }
    const expectedGroups = new Map<string, Row[]>();
    for (const row of expected as Row[]) {
      const group = groupOf(row.source_bytes, numberOf(row.bucket_ms));
      expectedGroups.set(group, [...(expectedGroups.get(group) ?? []), row]);
    }
    assert.deepEqual(
      [...storedGroups.keys()].sort(),
      [...expectedGroups.keys()].sort(),
      `${table} ${dimension}: the hours with lines`,
    );
    for (const [group, wanted] of expectedGroups) {
      const got = storedGroups.get(group) as { values: Map<string, Row>; other?: Row };
      let foldedRequests = 0;
      let foldedBytes = 0;
      for (const want of wanted) {
        const row = got.values.get(valueOf(want.value_bytes));
        if (row === undefined) {
          assert.ok(
            got.other !== undefined,
            `${table} ${dimension} ${group}: a row for ${valueOf(want.value_bytes)}`,
          );
          foldedRequests += numberOf(want.requests);
          foldedBytes += numberOf(want.bytes);
          continue;
        }
        assert.equal(
          numberOf(row.requests),
          numberOf(want.requests),
          `${table} ${dimension} ${group} ${valueOf(want.value_bytes)}: requests`,
        );
        assert.equal(
          numberOf(row.bytes),
          numberOf(want.bytes),
          `${table} ${dimension} ${group} ${valueOf(want.value_bytes)}: bytes`,
        );
      }
      assert.equal(
        got.values.size + foldedCount(wanted, got.values, valueOf),
        wanted.length,
        `${table} ${dimension} ${group}: no value that has no line`,
      );
      if (got.other !== undefined) {
        assert.equal(
          numberOf(got.other.requests),
          foldedRequests,
          `${table} ${dimension} ${group}: other requests`,
        );
        assert.equal(numberOf(got.other.bytes), foldedBytes, `${table} ${dimension} ${group}: other bytes`);
      }
    }
  }
}

/** How many of the wanted values are not among the stored ones (folded into "other"). */
function foldedCount(
  wanted: readonly Row[],
  stored: ReadonlyMap<string, Row>,
  valueOf: (bytes: unknown) => string,
): number {
  return wanted.filter((want) => !stored.has(valueOf(want.value_bytes))).length;
}
