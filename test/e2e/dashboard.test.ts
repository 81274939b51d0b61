/**
 * The dashboard as a person sees it: `lograbbit run` with no path (simulated traffic) in a vhost and
 * database of its own, and headless Chromium (Debian's package, driven by playwright-core; no browser
 * download) opening the dashboard it serves. With the tables briefly held still (a read lock: the
 * consumers wait, the page and the test read), the numbers on the page must equal the database's;
 * once released, they must move without a reload. At first sight the range fits the data, the time
 * axes' labels do not overlap, both lines of the rates chart show, and the search's first page follows
 * new rows. Screenshots go to test-artifacts/ (git-ignored); with UPDATE_SCREENSHOT=1 the README's
 * docs/dashboard.png is replaced too.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT, startCli, waitFor } from '../helpers/cli.js';
import type { RunningCli } from '../helpers/cli.js';
import { visitorsWithinBound } from '../helpers/rollups.js';
import { DB_HOST, createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';
import { which } from '../helpers/which.js';

/** Debian's `chromium` on PATH, or the program CHROMIUM_PATH names. */
const CHROMIUM_NAME = process.env.CHROMIUM_PATH ?? 'chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Lines per second of the simulated traffic: enough to fill every panel within seconds. */
const RATE = 40;
/** Rows to wait for before the page is opened. */
const FIRST_ROWS = 400;
const TABLES = ['raw_log', 'clean_log', 'rejected_log'];

let chromiumPath: string;
let services: TestServices;
let workDir: string;
let runner: RunningCli | undefined;
let browser: Browser | undefined;
let locked: mysql.Connection | undefined;

before(async () => {
  const found = which(CHROMIUM_NAME);
  if (found === undefined) {
    throw new Error(
      `no Chromium (${CHROMIUM_NAME}): install Debian's package (apt-get install -y chromium), or set CHROMIUM_PATH`,
    );
  }
  chromiumPath = found;
  services = await createTestServices('dashboard');
  workDir = await mkdtemp(join(tmpdir(), 'lograbbit-dashboard-'));
});

after(async () => {
  await locked?.end().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  if (runner) {
    // Stopped, `run` stores what it published within 5 s; a stuck one must not hang the suite.
    runner.kill('SIGINT');
    const stuck = setTimeout(() => runner?.kill('SIGKILL'), 20_000);
    await runner.exited;
    clearTimeout(stuck);
  }
  await services?.teardown();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function queryOne(sql: string): Promise<Record<string, unknown>> {
  const connection = locked ?? (await services.sql());
  const [rows] = await connection.query<RowDataPacket[]>(sql);
  return rows[0] as Record<string, unknown>;
}

async function count(table: string): Promise<number> {
  return Number((await queryOne(`SELECT COUNT(*) AS n FROM ${table}`)).n);
}

/** What the page shows for a `data-metric`, as its data-value. */
async function metric(page: Page, name: string): Promise<number> {
  const value = await page.locator(`[data-metric="${name}"]`).first().getAttribute('data-value');
  return Number(value);
}

/**
 * Holds the tables still: a read lock lets the dashboard and the test read while the consumers'
 * inserts wait (and go on once `unlock` is called), so page and database can be compared exactly.
 */
async function lockTables(): Promise<void> {
  locked = await mysql.createConnection({ host: DB_HOST, user: 'root', database: services.database });
  await locked.query(`LOCK TABLES ${TABLES.map((table) => `${table} READ`).join(', ')}`);
}

async function unlockTables(): Promise<void> {
  await locked?.query('UNLOCK TABLES');
  await locked?.end();
  locked = undefined;
}

/** The whole page as it is, to test-artifacts/<name>.png; the README's picture only when asked. */
async function screenshot(page: Page, name: string, forReadme = false): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await mkdir(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
  await page.screenshot({ path: join(REPO_ROOT, 'test-artifacts', `${name}.png`), fullPage: true });
  // The README's picture is tracked: replaced only when asked.
  if (forReadme && process.env.UPDATE_SCREENSHOT === '1') {
    await page.screenshot({ path: join(REPO_ROOT, 'docs', 'dashboard.png'), fullPage: true });
  }
}

/** Waits for the traffic panels to be drawn again after `change` (a range picked, rows arriving…). */
async function trafficRefreshed(
  page: Page,
  what: string,
  change: () => Promise<unknown>,
  spanMs?: number,
): Promise<void> {
  const loadedAt = await page.locator('body').getAttribute('data-traffic-loaded-at');
  await change();
  // A refresh of the range shown before (new rows arrive all the time) can land after the change:
  // with `spanMs`, only a load of a range that long counts.
  const spanShown = async (): Promise<number> => {
    const range = page.locator('#traffic-range');
    return Number(await range.getAttribute('data-to')) - Number(await range.getAttribute('data-from'));
  };
  await waitFor(
    what,
    async () =>
      (await page.locator('body').getAttribute('data-traffic-loaded-at')) !== loadedAt &&
      (spanMs === undefined || Math.abs((await spanShown()) - spanMs) <= 5 * 60_000),
    30_000,
  );
}

const TIME_CHARTS = ['chart-queues', 'chart-rates', 'chart-requests', 'chart-status', 'chart-bandwidth'];

/**
 * Runs `source` (a function, as text: this file is typed without the DOM) in the page with `args`.
 */
async function inPage<T>(page: Page, source: string, ...args: unknown[]): Promise<T> {
  return await page.evaluate<T>(`(${source})(...${JSON.stringify(args)})`);
}

/** A chart's x tick labels as drawn, where, and how wide in the axis font. */
const TICKS_OF = `(id) => {
  const pairs = JSON.parse(document.getElementById(id).dataset.xTicks ?? '[]');
  const context = document.createElement('canvas').getContext('2d');
  context.font = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  return pairs.map(([label, x]) => ({ label, x, width: context.measureText(label).width }));
}`;

/** Pixels of a chart's canvas near a colour [r, g, b] with an alpha in [minAlpha, maxAlpha]. */
const PIXELS_OF = `(id, colour, minAlpha, maxAlpha) => {
  const canvas = document.querySelector('#' + id + ' canvas');
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let found = 0;
  for (let i = 0; i < data.length; i += 4) {
    const near = [0, 1, 2].every((c) => Math.abs(data[i + c] - colour[c]) <= 16);
    if (near && data[i + 3] >= minAlpha && data[i + 3] <= maxAlpha) found++;
  }
  return found;
}`;

/**
 * The x labels of every time chart: in the expected form, distinct, and far enough apart that no two
 * touch (widths measured in the page, with the axis font).
 */
async function assertTimeTicks(page: Page, charts: readonly string[], form: RegExp): Promise<void> {
  for (const id of charts) {
    const ticks = await inPage<Array<{ label: string; x: number; width: number }>>(page, TICKS_OF, id);
    assert.ok(ticks.length >= 2, `${id}: ${JSON.stringify(ticks)}`);
    const labels = ticks.map((tick) => tick.label);
    for (const label of labels) assert.match(label, form, id);
    assert.equal(new Set(labels).size, labels.length, `${id}: ${labels.join(' | ')}`);
    for (const [i, right] of ticks.entries()) {
      const left = ticks[i - 1];
      if (!left) continue;
      const room = right.x - left.x - (left.width + right.width) / 2;
      assert.ok(room >= 8, `${id}: "${left.label}" and "${right.label}" are ${room.toFixed(1)} px apart`);
    }
  }
}

describe('lograbbit run with simulated traffic, its dashboard in a browser', () => {
  test('shows the database’s numbers, moves as lines arrive, and searches', async () => {
    runner = startCli(
      [
        'run',
        '--state-dir',
        join(workDir, 'state'),
        '--rate',
        String(RATE),
        '--seed',
        '7',
        '--dashboard-port',
        '0',
      ],
      { env: services.env },
    );
    let url = '';
    await waitFor('the dashboard address on stdout', () => {
      url =
        /lograbbit run: dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(runner?.stdout() ?? '')?.[1] ?? '';
      return url !== '' || runner?.stderr().includes('lograbbit:') === true;
    });
    assert.ok(url, runner.stderr());
    await waitFor(
      `${FIRST_ROWS} simulated lines stored`,
      async () => (await count('clean_log')) >= FIRST_ROWS,
      60_000,
    );

    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(url);
    await waitFor('the page to show requests', async () => (await metric(page, 'requests')) > 0, 20_000);

    // At first sight: the range is the one that fits the data, and the data fills much of the charts.
    const span = await page.evaluate(async () => (await fetch('/api/span')).json());
    const { firstMs, range } = span as { firstMs: number; range: string };
    // The simulated traffic began seconds ago: younger than 5 minutes, it is shown as all the data.
    assert.equal(range, 'all');
    assert.equal(await page.inputValue('#range'), range);
    assert.ok(await page.locator('#range-note').isVisible(), 'the page says the range was fitted');
    const shown = async (name: string) => Number(await page.locator('#traffic-range').getAttribute(name));
    const [from, to, bucketSeconds] = [
      await shown('data-from'),
      await shown('data-to'),
      await shown('data-bucket-seconds'),
    ];
    // The charts read the rollups, whose finest bucket is a minute: data seconds old is a bar or two,
    // and the range counted is the whole minutes that hold it, said on the page.
    assert.equal(bucketSeconds, 60);
    assert.ok(from % 60_000 === 0 && to % 60_000 === 0, `${from}–${to}: whole minutes`);
    assert.ok(from <= firstMs && firstMs < to, 'the range counted holds the data');
    // The traffic so far spans seconds: its ticks, and those of the pipeline's samples, are times.
    // A chart of one sample has one tick: on a loaded machine the page can open that early.
    await waitFor(
      'two ticks on every time chart',
      async () => {
        for (const id of TIME_CHARTS) {
          if ((await inPage<unknown[]>(page, TICKS_OF, id)).length < 2) return false;
        }
        return true;
      },
      20_000,
    );
    await assertTimeTicks(page, TIME_CHARTS, /^\d\d:\d\d(:\d\d)?$/);
    // While nothing waits, "in" and "stored" have the same values: the wide pale band of "in" shows
    // around the thin line of "stored" (the colours of app.js; the band drawn on white).
    const stored = await inPage<number>(page, PIXELS_OF, 'chart-rates', [0x15, 0x70, 0xef], 250, 255);
    const band = await inPage<number>(page, PIXELS_OF, 'chart-rates', [0xe8, 0x59, 0x0c], 80, 120);
    assert.ok(stored > 50 && band > 50, `stored line: ${stored} px, in band: ${band} px`);
    // The demo's combined lines name no host: the panel says why instead of one "(none)" row.
    const hosts = page.locator('.top[data-dimension="host"]');
    assert.equal(await hosts.locator('tr').count(), 0);
    assert.match(await hosts.locator('.note').innerText(), /^No host in these lines: .*combined/);

    // Held still, the page (reloaded, so it reads the held tables) must show the database's numbers.
    await lockTables();
    const day = 'ts >= UTC_TIMESTAMP() - INTERVAL 1 DAY';
    const held = await queryOne(
      `SELECT COUNT(*) AS requests, COUNT(DISTINCT ip) AS visitors, SUM(is_bot = 1) AS bots,
              SUM(bytes) AS bytes FROM clean_log WHERE ${day}`,
    );
    const raw = await count('raw_log');
    const lockedAt = Date.now();
    assert.ok(Number(held.requests) >= FIRST_ROWS);
    await page.reload();
    await waitFor(
      `the page to show the ${String(held.requests)} requests held`,
      async () => (await metric(page, 'requests')) === Number(held.requests),
      20_000,
    );
    // The totals say when they were counted (the pipeline's live row count runs ahead of them).
    const computed = page.locator('#traffic-computed');
    assert.ok(Number(await computed.getAttribute('data-value')) >= lockedAt);
    assert.match(await computed.innerText(), /^totals as of \d\d:\d\d:\d\d UTC$/);
    const visitors = await metric(page, 'visitors');
    assert.ok(
      visitorsWithinBound(visitors, Number(held.visitors)),
      `${visitors} visitors, exactly ${Number(held.visitors)}`,
    );
    assert.equal(await metric(page, 'bots'), Number(held.bots));
    assert.equal(await metric(page, 'bandwidth'), Number(held.bytes));
    await waitFor(
      'the pipeline panel to show raw_log',
      async () => (await metric(page, 'rows-raw')) === raw,
      20_000,
    );

    for (const [dimension, column, where] of [
      ['path', 'LEFT(path, 255)', ''],
      ['notFound', 'LEFT(path, 255)', 'AND status = 404'],
      ['country', 'country', ''],
      ['browser', 'browser', ''],
    ] as const) {
      const top = await queryOne(
        `SELECT ${column} AS value, COUNT(*) AS n FROM clean_log WHERE ${day} ${where}
         GROUP BY value ORDER BY n DESC, value LIMIT 1`,
      );
      const first = page.locator(`.top[data-dimension="${dimension}"] tr`).first();
      assert.equal(await first.getAttribute('data-value'), top.value ?? '', dimension);
      assert.equal(Number(await first.getAttribute('data-requests')), Number(top.n), dimension);
    }
    // Enrichment reached the page: countries from the shipped DB-IP database, browsers from the agents.
    const named = async (dimension: string) =>
      await page.locator(`.top[data-dimension="${dimension}"] tr[data-value]:not([data-value=""])`).count();
    assert.ok((await named('country')) >= 3, 'countries are shown');
    assert.ok((await named('browser')) >= 3, 'browsers are shown');
    assert.ok((await named('os')) >= 2, 'operating systems are shown');
    assert.match(await page.locator('footer').innerText(), /IP Geolocation by DB-IP/);

    // The search, on the held rows: 404s only, newest first, paged.
    await page.fill('#search-form input[name="status"]', '404');
    await page.click('#search-form button[type="submit"]');
    await waitFor('404s in the search results', async () => {
      const statuses = await page.locator('#requests tbody tr td:nth-child(6)').allInnerTexts();
      return statuses.length > 0 && statuses.every((status) => status === '404');
    });
    const notFound = await queryOne(`SELECT COUNT(*) AS n FROM clean_log WHERE ${day} AND status = 404`);
    assert.equal(await page.locator('#requests tbody tr').count(), Math.min(20, Number(notFound.n)));
    const topRow = async () => await page.locator('#requests tbody tr').first().getAttribute('data-event-id');
    if (Number(notFound.n) > 20) {
      const firstPage = await topRow();
      await page.click('#older');
      await waitFor('the next page', async () => (await topRow()) !== firstPage);
    }
    // Every request (more than a page of them), and the older page: it must hold still below.
    await page.fill('#search-form input[name="status"]', '');
    await page.click('#search-form button[type="submit"]');
    await waitFor('every request in the search results', async () => {
      const statuses = await page.locator('#requests tbody tr td:nth-child(6)').allInnerTexts();
      return statuses.length === 20 && statuses.some((status) => status !== '404');
    });
    const newestHeld = await topRow();
    await page.click('#older');
    await waitFor('the older page', async () => (await topRow()) !== newestHeld);
    const olderPage = await topRow();
    assert.equal(await page.locator('#search-state').getAttribute('data-page'), 'older');

    // Released, the waiting rows and the new ones arrive: the page follows without a reload.
    await unlockTables();
    await waitFor(
      'the page to show more requests',
      async () => (await metric(page, 'requests')) > Number(held.requests),
      30_000,
    );
    await waitFor(
      'the pipeline panel to show more raw rows',
      async () => (await metric(page, 'rows-raw')) > raw,
    );
    // The stored rate is clean_log and rejected_log's growth between two samples, and their
    // consumer is not raw_log's: the sample that first shows more raw rows may not show it yet.
    await waitFor(
      'the pipeline panel to show lines being stored',
      async () => (await metric(page, 'stored-rate')) > 0,
      20_000,
    );
    // An older page of the search holds still while the traffic panels follow the new rows…
    await trafficRefreshed(page, 'the traffic panels after new rows', () => Promise.resolve());
    assert.equal(await topRow(), olderPage);
    // …and the first page follows them, without a click after "Newest".
    await page.click('#newest');
    await waitFor('the newest page', async () => (await topRow()) !== olderPage);
    assert.equal(await page.locator('#search-state').getAttribute('data-page'), 'newest');
    const newest = await topRow();
    await waitFor('newer rows on the first page, without a click', async () => (await topRow()) !== newest);

    await page.waitForTimeout(1500);
    assert.deepEqual(pageErrors, []);
    await screenshot(page, 'dashboard', true);

    // Picked by hand, a range stays; over a day the ticks are times, over a week dates.
    await trafficRefreshed(page, 'the last 24 hours', () => page.selectOption('#range', '24h'), 86_400_000);
    assert.ok(await page.locator('#range-note').isHidden());
    await assertTimeTicks(page, TIME_CHARTS, /^\d\d:\d\d(:\d\d)?$/);
    await trafficRefreshed(page, 'the last 7 days', () => page.selectOption('#range', '7d'), 7 * 86_400_000);
    await assertTimeTicks(page, TIME_CHARTS.slice(2), /^[A-Z][a-z]{2} \d{1,2}( \d\d:\d\d)?$/);
    await screenshot(page, 'dashboard-7d');
    assert.equal(await page.inputValue('#range'), '7d');
    assert.deepEqual(pageErrors, []);

    runner.kill('SIGINT');
    const exit = await runner.exited;
    runner = undefined;
    assert.equal(exit.code, 0, exit.stderr);
  });
});
