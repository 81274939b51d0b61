/**
 * The dashboard as a person sees it: `lograbbit dashboard` runs against a database that `ingest`
 * fills meanwhile, and headless Chromium (Debian's package, driven by playwright-core; no browser
 * download) opens the page. The numbers on the page must equal the database's, and move when new
 * lines arrive. A screenshot goes to test-artifacts/dashboard.png, and a smaller one to
 * docs/dashboard.png for the README.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT, runCli, startCli, waitFor } from '../helpers/cli.js';
import type { RunningCli } from '../helpers/cli.js';
import { createTestServices } from '../helpers/services.js';
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

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'curl/8.5.0',
];
const ADDRESSES = [
  '66.249.66.1',
  '8.8.8.8',
  '81.2.69.142',
  '2.16.0.1',
  '1.1.1.1',
  '5.39.0.1',
  '200.160.2.3',
  '133.1.0.1',
];
const PATHS = [
  '/',
  '/blog/queues',
  '/shop/cart',
  '/api/v1/items',
  '/docs/install',
  '/favicon.ico',
  '/wp-login.php',
];
const STATUSES = [200, 200, 200, 200, 304, 301, 404, 404, 500];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `n` combined-format lines spread over the last `spanMs`, varied enough to fill every panel. */
function accessLines(n: number, spanMs: number, seed: number): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = i * 3 + seed;
    const d = new Date(Date.now() - Math.floor((i / n) * spanMs));
    const time = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
    const path = PATHS[(k * 3) % PATHS.length] as string;
    const status = path === '/wp-login.php' ? 404 : (STATUSES[k % STATUSES.length] as number);
    const ip = `${ADDRESSES[k % ADDRESSES.length] as string}`;
    const user = k % 13 === 0 ? 'alice' : '-';
    const agent = AGENTS[(k * 5) % AGENTS.length] as string;
    const referrer = k % 4 === 0 ? 'https://www.google.com/' : '-';
    lines.push(
      `${ip} - ${user} [${time}] "GET ${path} HTTP/1.1" ${status} ${status === 304 ? 0 : 500 + k * 37} "${referrer}" "${agent}"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

let services: TestServices;
let workDir: string;
let dashboard: RunningCli | undefined;
let browser: Browser | undefined;

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium), or set CHROMIUM_PATH`,
    );
  }
  services = await createTestServices('dashboard');
  const setup = await runCli(['setup'], { env: services.env });
  assert.equal(setup.code, 0, setup.stderr);
  workDir = await mkdtemp(join(tmpdir(), 'lograbbit-dashboard-'));
});

after(async () => {
  await browser?.close().catch(() => undefined);
  if (dashboard) {
    dashboard.kill('SIGINT');
    await dashboard.exited;
  }
  await services?.teardown();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function queryOne(sql: string): Promise<Record<string, unknown>> {
  const connection = await services.sql();
  const [rows] = await connection.query<RowDataPacket[]>(sql);
  return rows[0] as Record<string, unknown>;
}

/** What the page shows for a `data-metric`, as its data-value. */
async function metric(page: Page, name: string): Promise<number> {
  const value = await page.locator(`[data-metric="${name}"]`).first().getAttribute('data-value');
  return Number(value);
}

async function ingest(name: string, lines: string): Promise<void> {
  const file = join(workDir, name);
  await writeFile(file, lines);
  const result = await runCli(['ingest', file, '--json'], { env: services.env });
  assert.equal(result.code, 0, result.stderr);
}

describe('lograbbit dashboard in a browser', () => {
  test('shows the database’s numbers, moves as lines arrive, and searches', async () => {
    await ingest('first.log', accessLines(300, 6 * 3_600_000, 1));

    dashboard = startCli(['dashboard', '--port', '0', '--sample-interval-ms', '500'], { env: services.env });
    let url = '';
    await waitFor('the dashboard address on stdout', () => {
      const match = /lograbbit dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(dashboard?.stdout() ?? '');
      url = match?.[1] ?? '';
      return url !== '' || dashboard?.stderr().includes('lograbbit:') === true;
    });
    assert.ok(url, dashboard.stderr());

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(url);

    const day = 'ts >= UTC_TIMESTAMP() - INTERVAL 1 DAY';
    const first = await queryOne(
      `SELECT COUNT(*) AS requests, COUNT(DISTINCT ip) AS visitors, SUM(is_bot = 1) AS bots,
              (SELECT COUNT(*) FROM raw_log) AS raw FROM clean_log WHERE ${day}`,
    );
    assert.equal(Number(first.requests), 300);
    await waitFor(
      'the page to show the first 300 requests',
      async () => (await metric(page, 'requests')) === 300,
      20_000,
    );
    assert.equal(await metric(page, 'visitors'), Number(first.visitors));
    assert.equal(await metric(page, 'bots'), Number(first.bots));
    await waitFor(
      'the pipeline panel to show raw_log',
      async () => (await metric(page, 'rows-raw')) === Number(first.raw),
      20_000,
    );

    const topPath = await queryOne(
      `SELECT LEFT(path, 255) AS value, COUNT(*) AS n FROM clean_log WHERE ${day} GROUP BY value ORDER BY n DESC, value LIMIT 1`,
    );
    const firstRow = page.locator('.top[data-dimension="path"] tr').first();
    assert.equal(await firstRow.getAttribute('data-value'), topPath.value);
    assert.equal(Number(await firstRow.getAttribute('data-requests')), Number(topPath.n));
    const top404 = await queryOne(
      `SELECT LEFT(path, 255) AS value, COUNT(*) AS n FROM clean_log WHERE ${day} AND status = 404 GROUP BY value ORDER BY n DESC, value LIMIT 1`,
    );
    const first404 = page.locator('.top[data-dimension="notFound"] tr').first();
    assert.equal(await first404.getAttribute('data-value'), top404.value);
    assert.equal(Number(await first404.getAttribute('data-requests')), Number(top404.n));
    assert.ok((await page.locator('.top[data-dimension="browser"] tr').count()) >= 3, 'browsers are shown');
    assert.match(await page.locator('footer').innerText(), /IP Geolocation by DB-IP/);

    // New lines arrive: the page follows without a reload.
    await ingest('second.log', accessLines(120, 3_600_000, 2));
    const second = await queryOne(
      `SELECT COUNT(*) AS requests, (SELECT COUNT(*) FROM raw_log) AS raw FROM clean_log WHERE ${day}`,
    );
    assert.equal(Number(second.requests), 420);
    await waitFor(
      'the page to show 420 requests',
      async () => (await metric(page, 'requests')) === 420,
      30_000,
    );
    await waitFor(
      'the pipeline panel to show the new raw rows',
      async () => (await metric(page, 'rows-raw')) === Number(second.raw),
      20_000,
    );

    // The README's picture: the top of the page once both files are in (small: one viewport).
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(REPO_ROOT, 'docs', 'dashboard.png') });

    // The search: 404s only, newest first, paged.
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
    assert.deepEqual(pageErrors, []);

    await mkdir(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(REPO_ROOT, 'test-artifacts', 'dashboard.png'), fullPage: true });
  });
});
