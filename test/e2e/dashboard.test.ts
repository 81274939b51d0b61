/**
 * The dashboard as a person sees it: `lograbbit run` with no path (simulated traffic) in a vhost and
 * database of its own, and headless Chromium (Debian's package, driven by playwright-core; no browser
 * download) opening the dashboard it serves. With the tables briefly held still (a read lock: the
 * consumers wait, the page and the test read), the numbers on the page must equal the database's;
 * once released, they must move without a reload. Screenshots go to test-artifacts/ (git-ignored);
 * with UPDATE_SCREENSHOT=1 the README's docs/dashboard.png is replaced too.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
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
import { DB_HOST, createTestServices } from '../helpers/services.js';
import type { TestServices } from '../helpers/services.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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

let services: TestServices;
let workDir: string;
let runner: RunningCli | undefined;
let browser: Browser | undefined;
let locked: mysql.Connection | undefined;

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium), or set CHROMIUM_PATH`,
    );
  }
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

/** The whole page, over the last 15 minutes (the traffic so far spans less than a minute). */
async function screenshot(page: Page): Promise<void> {
  const loadedAt = await page.locator('body').getAttribute('data-traffic-loaded-at');
  await page.selectOption('#range', '15m');
  await waitFor(
    'the traffic panels of the last 15 minutes',
    async () => (await page.locator('body').getAttribute('data-traffic-loaded-at')) !== loadedAt,
  );
  await page.waitForTimeout(500);
  await page.evaluate('window.scrollTo(0, 0)');
  await mkdir(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
  await page.screenshot({ path: join(REPO_ROOT, 'test-artifacts', 'dashboard.png'), fullPage: true });
  // The README's picture is tracked: replaced only when asked.
  if (process.env.UPDATE_SCREENSHOT === '1') {
    await page.screenshot({ path: join(REPO_ROOT, 'docs', 'dashboard.png'), fullPage: true });
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

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(url);
    await waitFor('the page to show requests', async () => (await metric(page, 'requests')) > 0, 20_000);

    // Held still, the page (reloaded, so it reads the held tables) must show the database's numbers.
    await lockTables();
    const day = 'ts >= UTC_TIMESTAMP() - INTERVAL 1 DAY';
    const held = await queryOne(
      `SELECT COUNT(*) AS requests, COUNT(DISTINCT ip) AS visitors, SUM(is_bot = 1) AS bots,
              SUM(bytes) AS bytes FROM clean_log WHERE ${day}`,
    );
    const raw = await count('raw_log');
    assert.ok(Number(held.requests) >= FIRST_ROWS);
    await page.reload();
    await waitFor(
      `the page to show the ${String(held.requests)} requests held`,
      async () => (await metric(page, 'requests')) === Number(held.requests),
      20_000,
    );
    assert.equal(await metric(page, 'visitors'), Number(held.visitors));
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
    if (Number(notFound.n) > 20) {
      const firstPage = await page.locator('#requests tbody tr').first().getAttribute('data-event-id');
      await page.click('#older');
      await waitFor(
        'the next page',
        async () =>
          (await page.locator('#requests tbody tr').first().getAttribute('data-event-id')) !== firstPage,
      );
    }

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
    assert.ok((await metric(page, 'stored-rate')) > 0, 'lines are being stored');

    await page.waitForTimeout(1500);
    assert.deepEqual(pageErrors, []);
    await screenshot(page);

    runner.kill('SIGINT');
    const exit = await runner.exited;
    runner = undefined;
    assert.equal(exit.code, 0, exit.stderr);
  });
});
