/* global document, window, fetch, EventSource, URLSearchParams, setTimeout, uPlot */
/**
 * The dashboard page: pipeline panels fed by the server-sent events of /api/events, traffic panels
 * fetched from /api/traffic and /api/top for the chosen range and source (again whenever new rows
 * arrive, at most every few seconds), and a search of recent requests paged with a cursor, whose
 * first page follows new rows too. Until the person picks a range, the range is the one /api/span
 * says fits the data. Every value is written with textContent, never as HTML.
 */

const TOP_LIMIT = 10;
const SEARCH_LIMIT = 20;
const TRAFFIC_REFRESH_MS = 3000;
const QUEUES = ['data-lake', 'data-clean', 'data-dead'];

const $ = (selector) => document.querySelector(selector);
const number = (value) => Math.round(value).toLocaleString('en-US');

function bytes(value) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${n.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Sets a `data-metric` element: its text for people, its data-value for tests. */
function setMetric(name, value, format = number) {
  for (const element of document.querySelectorAll(`[data-metric="${name}"]`)) {
    element.dataset.value = value === null ? '' : String(value);
    element.textContent = value === null ? 'n/a' : format(value);
  }
}

function sourceParams() {
  const source = $('#source').value;
  return new URLSearchParams(source ? { source } : {});
}

function rangeParams() {
  const params = sourceParams();
  params.set('range', $('#range').value);
  return params;
}

const utcTime = (ms) => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

async function getJson(path, params) {
  const response = await fetch(params ? `${path}?${params}` : path, {
    headers: { accept: 'application/json' },
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

// ---- charts ---------------------------------------------------------------------------------------

const COLORS = ['#e8590c', '#1570ef', '#12b76a', '#7a5af8', '#f04438', '#667085'];
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_S = 86_400;
const charts = new Map();

const measuring = document.createElement('canvas').getContext('2d');
measuring.font = AXIS_FONT;

/**
 * A tick label of a time axis, in UTC like the rest of the page: times only over a day or less
 * (seconds when ticks are seconds apart), dates over longer spans (with the time when ticks are hours
 * apart, with the year over more than a year), months when ticks are months apart.
 */
function timeLabel(seconds, incrSeconds, spanSeconds) {
  const date = new Date(seconds * 1000);
  const month = MONTHS[date.getUTCMonth()];
  if (incrSeconds >= 28 * DAY_S) return `${month} ${date.getUTCFullYear()}`;
  const day = `${month} ${date.getUTCDate()}`;
  if (spanSeconds > 365 * DAY_S) return `${day} ${date.getUTCFullYear()}`;
  if (incrSeconds >= DAY_S) return day;
  const time = date.toISOString().slice(11, incrSeconds < 60 ? 19 : 16);
  return spanSeconds <= DAY_S + 60 ? time : `${day} ${time}`;
}

/** The room a tick needs: the widest label the span can have, and a gap, so labels never touch. */
function timeTickSpace(_u, _axis, min, max) {
  const span = max - min;
  const widest = span <= DAY_S + 60 ? '00:00:00' : span > 365 * DAY_S ? 'Dec 30 2026' : 'Dec 30 00:00';
  return Math.ceil(measuring.measureText(widest).width) + 24;
}

/**
 * A time chart. The x tick labels drawn, and where, are kept in the element's data-x-ticks (as
 * [label, x in CSS px] pairs) for tests and for a reader of the page's source.
 */
function chart(id, labels, options = {}) {
  const element = document.getElementById(id);
  const colors = options.colors ?? COLORS;
  const series = [
    {},
    ...labels.map((label, i) => ({
      label,
      stroke: colors[i % colors.length],
      width: 1.5,
      ...options.series?.[i],
    })),
  ];
  let ticks = [];
  const plot = new uPlot(
    {
      width: Math.max(300, element.clientWidth),
      height: 180,
      series,
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [
        {
          font: AXIS_FONT,
          size: 34,
          space: timeTickSpace,
          values: (u, splits, _axis, _space, incr) => {
            const span = u.scales.x.max - u.scales.x.min;
            ticks = splits.map((split) => [split, timeLabel(split, incr, span)]);
            return ticks.map(([, label]) => label);
          },
        },
        {
          font: AXIS_FONT,
          size: 72,
          values: options.format ? (_u, values) => values.map(options.format) : undefined,
        },
      ],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      hooks: {
        draw: [
          (u) => {
            const drawn = ticks.map(([split, label]) => [label, Math.round(u.valToPos(split, 'x'))]);
            element.dataset.xTicks = JSON.stringify(drawn);
          },
        ],
      },
    },
    [[], ...labels.map(() => [])],
    element,
  );
  charts.set(id, { plot, element });
  return plot;
}

window.addEventListener('resize', () => {
  for (const { plot, element } of charts.values())
    plot.setSize({ width: Math.max(300, element.clientWidth), height: 180 });
});

const queueChart = chart('chart-queues', QUEUES);
// While nothing waits, both lines have the same values: "in" is a wide pale band, "stored" a thin
// line inside it, so neither hides the other.
const rateChart = chart('chart-rates', ['in (data-lake)', 'stored (parsed)'], {
  series: [{ width: 6, stroke: 'rgba(232, 89, 12, 0.4)' }, { width: 1.5 }],
});
const requestChart = chart('chart-requests', ['requests', 'unique visitors']);
const statusChart = chart('chart-status', ['2xx', '3xx', '4xx', '5xx', 'other'], {
  colors: ['#12b76a', '#1570ef', '#f79009', '#f04438', '#667085'],
});
const bandwidthChart = chart('chart-bandwidth', ['bytes'], { format: bytes });

// ---- pipeline -------------------------------------------------------------------------------------

const samples = [];
let lastStored = -1;

function depthOf(sample, queue) {
  return sample.queues.find((entry) => entry.queue === queue)?.ready ?? 0;
}

function showPipeline() {
  const latest = samples.at(-1);
  if (!latest) return;
  setMetric('in-rate', latest.inPerSecond);
  setMetric('stored-rate', latest.storedPerSecond);
  for (const queue of QUEUES) setMetric(`queue-${queue}`, depthOf(latest, queue));
  // Large tables' counts are InnoDB's estimates (a COUNT(*) every few seconds would be too heavy).
  const rowCount = latest.rows.estimated ? (value) => `~${number(value)}` : number;
  setMetric('rows-raw', latest.rows.raw, rowCount);
  setMetric('rows-clean', latest.rows.clean, rowCount);
  setMetric('rows-rejected', latest.rows.rejected, rowCount);
  const lag = $('[data-metric="lag"]');
  lag.textContent =
    latest.drainSeconds === null
      ? 'queues not draining'
      : latest.drainSeconds === 0
        ? 'none (queues empty)'
        : `≈ ${Math.ceil(latest.drainSeconds)} s to drain`;
  const error = $('#pipeline-error');
  error.hidden = latest.error === undefined;
  error.textContent = latest.error ? `last reading failed: ${latest.error}` : '';
  const xs = samples.map((sample) => sample.t / 1000);
  queueChart.setData([xs, ...QUEUES.map((queue) => samples.map((sample) => depthOf(sample, queue)))]);
  rateChart.setData([
    xs,
    samples.map((sample) => sample.inPerSecond),
    samples.map((sample) => sample.storedPerSecond),
  ]);
}

function addSamples(list) {
  for (const sample of list) samples.push(sample);
  samples.splice(0, Math.max(0, samples.length - 600));
  showPipeline();
  const latest = samples.at(-1);
  if (latest && latest.error === undefined) {
    const stored = latest.rows.clean + latest.rows.rejected;
    if (stored !== lastStored) {
      lastStored = stored;
      scheduleTraffic();
    }
  }
}

function connect() {
  const live = $('#live');
  const events = new EventSource('/api/events');
  events.addEventListener('open', () => {
    live.dataset.state = 'live';
    live.textContent = 'live';
  });
  events.addEventListener('error', () => {
    live.dataset.state = 'down';
    live.textContent = 'reconnecting…';
  });
  events.addEventListener('history', (event) => {
    samples.length = 0;
    addSamples(JSON.parse(event.data));
  });
  events.addEventListener('sample', (event) => addSamples([JSON.parse(event.data)]));
}

// ---- traffic --------------------------------------------------------------------------------------

let trafficTimer;
let trafficAt = 0;
let trafficRunning = false;

/** Refreshes the traffic panels soon, but not more than once every few seconds. */
function scheduleTraffic(now = false) {
  if (trafficTimer) return;
  const wait = now ? 0 : Math.max(0, trafficAt + TRAFFIC_REFRESH_MS - Date.now());
  trafficTimer = setTimeout(() => {
    trafficTimer = undefined;
    // refreshTraffic and search catch their own failures and show them on the page.
    void refreshTraffic();
  }, wait);
}

/** True until the person picks a range; until then the range follows the data's span. */
let rangeFromData = true;

/**
 * The data's span: the range that fits it while the person has not chosen one, and how far back the
 * lines (searchable) and the rollups (every panel) go, and when the rollups last counted.
 */
async function readSpan() {
  const span = await getJson('/api/span', sourceParams());
  showHistory(span.history);
  if (!rangeFromData) return;
  $('#range').value = span.range;
  $('#range-note').hidden = false;
}

const utcDay = (ms) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function showHistory(history) {
  const element = $('#history');
  element.dataset.linesFrom = String(history.linesFromMs ?? '');
  element.dataset.rollupsFrom = String(history.rollupsFromMs ?? '');
  element.dataset.rollupsUpdated = String(history.rollupsUpdatedMs ?? '');
  element.textContent =
    history.rollupsFromMs === null
      ? 'nothing counted yet'
      : `panels from ${utcDay(history.rollupsFromMs)}, counted until ${utcTime(history.rollupsUpdatedMs)}` +
        ` · requests searchable from ${history.linesFromMs === null ? '(none kept)' : utcDay(history.linesFromMs)}`;
}

async function refreshTraffic() {
  if (trafficRunning) return scheduleTraffic();
  trafficRunning = true;
  trafficAt = Date.now();
  try {
    await readSpan();
    const params = rangeParams();
    await Promise.all([
      // The first page of the search follows new rows, with the same range.
      searchPage === null ? search() : undefined,
      getJson('/api/traffic', params).then(showTraffic),
      ...[...document.querySelectorAll('.top')].map((element) => {
        const topParams = new URLSearchParams(params);
        topParams.set('limit', String(TOP_LIMIT));
        return getJson(`/api/top/${element.dataset.dimension}`, topParams).then((top) => {
          showTop(element, top);
          showTopRange(top);
        });
      }),
    ]);
    document.body.dataset.trafficLoadedAt = String(trafficAt);
  } catch (error) {
    $('#traffic-range').textContent = `(failed: ${error.message})`;
  } finally {
    trafficRunning = false;
  }
}

/** "2026-12-04 15:30:28 – 15:31:02 UTC": seconds under an hour, the end's date only if another day. */
function rangeText(from, to) {
  const length = to - from < 3_600_000 ? 19 : 16;
  const [start, end] = [from, to].map((ms) => new Date(ms).toISOString().slice(0, length).replace('T', ' '));
  return `${start} – ${start.slice(0, 10) === end.slice(0, 10) ? end.slice(11) : end} UTC`;
}

function bucketText(seconds) {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}-day buckets`;
  if (seconds % 3600 === 0) return `${seconds / 3600}-hour buckets`;
  if (seconds % 60 === 0) return `${seconds / 60}-minute buckets`;
  return `${seconds} s buckets`;
}

const EMPTY_BUCKET = { requests: 0, visitors: 0, bytes: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0, sOther: 0 };

/** The series with the buckets that had no rows as zeros, so a quiet spell reads as zero, not a line. */
function everyBucket(series, from, to, bucketSeconds) {
  const step = bucketSeconds * 1000;
  const byStart = new Map(series.map((bucket) => [bucket.t, bucket]));
  const filled = [];
  for (let t = Math.floor(from / step) * step; t < to && filled.length < 1000; t += step) {
    filled.push(byStart.get(t) ?? { ...EMPTY_BUCKET, t });
  }
  return filled;
}

function showTraffic(traffic) {
  const { summary, series, hours } = traffic;
  setMetric('requests', summary.requests);
  setMetric('visitors', summary.visitors);
  setMetric('bandwidth', summary.bytes, bytes);
  setMetric('bots', summary.bots);
  setMetric('humans', summary.humans);
  const range = $('#traffic-range');
  range.textContent = `${rangeText(traffic.from, traffic.to)}, ${bucketText(traffic.bucketSeconds)}`;
  range.dataset.from = String(traffic.from);
  range.dataset.to = String(traffic.to);
  range.dataset.bucketSeconds = String(traffic.bucketSeconds);
  // The live row count of the pipeline panel runs ahead of these totals: say when they were counted.
  const computed = $('#traffic-computed');
  computed.dataset.value = String(traffic.computedAt);
  computed.textContent = `totals as of ${utcTime(traffic.computedAt)}`;
  const buckets = everyBucket(series, traffic.from, traffic.to, traffic.bucketSeconds);
  const xs = buckets.map((bucket) => bucket.t / 1000);
  requestChart.setData([xs, buckets.map((b) => b.requests), buckets.map((b) => b.visitors)]);
  statusChart.setData([
    xs,
    buckets.map((b) => b.s2xx),
    buckets.map((b) => b.s3xx),
    buckets.map((b) => b.s4xx),
    buckets.map((b) => b.s5xx),
    buckets.map((b) => b.sOther),
  ]);
  bandwidthChart.setData([xs, buckets.map((b) => b.bytes)]);
  // The whole range on the x axis, however few buckets have rows: uPlot would zoom onto them.
  for (const plot of [requestChart, statusChart, bandwidthChart]) {
    plot.setScale('x', { min: traffic.from / 1000, max: traffic.to / 1000 });
  }
  const box = $('#hours');
  const byHour = new Map(hours.map((entry) => [entry.hour, entry.requests]));
  const max = Math.max(1, ...byHour.values());
  box.replaceChildren(
    ...Array.from({ length: 24 }, (_, hour) => {
      const bar = document.createElement('div');
      const requests = byHour.get(hour) ?? 0;
      bar.style.height = `${(requests / max) * 100}%`;
      bar.title = `${hour}:00 UTC: ${number(requests)} requests`;
      const label = document.createElement('span');
      label.textContent = hour % 3 === 0 ? String(hour) : '';
      bar.append(label);
      return bar;
    }),
  );
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function note(element, text) {
  const paragraph = document.createElement('p');
  paragraph.className = 'note';
  paragraph.textContent = text;
  element.append(paragraph);
}

/** What a panel says when its values are all empty, because the lines do not carry them. */
const NOT_IN_THE_LINES = {
  host: 'No host in these lines: their format does not log one (combined and common do not). vcombined, proxy, caddy and alb lines name it, and so can nginx-json and custom formats.',
};

/** The top lists sum whole hours: say which, as it may be wider than the traffic panels' range. */
function showTopRange(top) {
  const element = $('#tops-range');
  element.dataset.from = String(top.from);
  element.dataset.to = String(top.to);
  element.textContent = `Top lists count whole hours: ${rangeText(top.from, top.to)}`;
}

function showTop(element, top) {
  element.querySelector('table, p')?.remove();
  if (!top.available) {
    note(element, 'not in the database yet (run lograbbit setup after upgrading)');
    return;
  }
  const unknown = NOT_IN_THE_LINES[top.dimension];
  if (unknown && top.entries.length > 0 && top.entries.every((entry) => entry.value === null)) {
    note(element, unknown);
    return;
  }
  const table = document.createElement('table');
  const max = Math.max(1, ...top.entries.map((entry) => entry.requests));
  for (const entry of top.entries) {
    const row = document.createElement('tr');
    row.dataset.value = entry.value ?? '';
    row.dataset.requests = String(entry.requests);
    const bar = cell('', 'bar');
    const fill = document.createElement('div');
    fill.style.width = `${(entry.requests / max) * 100}%`;
    bar.append(fill);
    row.append(cell(entry.value ?? '(none)'), cell(number(entry.requests), 'n'), bar);
    table.append(row);
  }
  if (top.entries.length === 0) {
    const row = document.createElement('tr');
    row.append(cell('no requests in this range'));
    table.append(row);
  }
  element.append(table);
}

// ---- search ---------------------------------------------------------------------------------------

/** The criteria last searched for (what is typed but not submitted does not count). */
let criteria = new URLSearchParams();
/** The cursor of the page shown: null for the first (newest) page, which follows new rows. */
let searchPage = null;
let nextCursor = null;
/** Only the answer to the latest request is shown, whatever order the answers come in. */
let searchTicket = 0;

function submittedCriteria() {
  const submitted = new URLSearchParams();
  for (const [key, value] of new URLSearchParams(new window.FormData($('#search-form')))) {
    if (String(value).trim()) submitted.set(key, String(value).trim());
  }
  return submitted;
}

async function search(cursor = null) {
  const params = rangeParams();
  for (const [key, value] of criteria) params.set(key, value);
  params.set('limit', String(SEARCH_LIMIT));
  if (cursor) params.set('cursor', cursor);
  searchPage = cursor;
  const ticket = ++searchTicket;
  const error = $('#search-error');
  try {
    const page = await getJson('/api/requests', params);
    if (ticket !== searchTicket) return;
    error.hidden = true;
    const body = $('#requests tbody');
    body.replaceChildren(
      ...page.rows.map((row) => {
        const tr = document.createElement('tr');
        tr.dataset.eventId = row.eventId;
        const request = `${row.method ?? ''} ${row.host ?? ''}${row.path ?? ''}`.trim();
        tr.append(
          cell(new Date(row.tsMs).toISOString().replace('T', ' ').slice(0, 19)),
          cell(row.source),
          cell(row.ip ?? ''),
          cell(row.user ?? ''),
          cell(request),
          cell(String(row.status), 'n'),
          cell(number(row.bytes), 'n'),
          cell(row.country ?? ''),
          cell(row.isBot ? `${row.browser ?? ''} (bot)` : (row.browser ?? '')),
        );
        return tr;
      }),
    );
    nextCursor = page.next;
    $('#older').disabled = nextCursor === null;
    const state = $('#search-state');
    state.dataset.page = cursor === null ? 'newest' : 'older';
    state.textContent =
      cursor === null ? 'newest first, updated as rows arrive' : 'an older page, held still';
  } catch (failure) {
    error.hidden = false;
    error.textContent = failure.message;
  }
}

// ---- start ----------------------------------------------------------------------------------------

async function loadSources() {
  const { sources } = await getJson('/api/sources');
  const select = $('#source');
  const chosen = select.value;
  select.replaceChildren(select.options[0]);
  for (const source of sources) select.add(new window.Option(source, source, false, source === chosen));
}

$('#range').addEventListener('change', () => {
  rangeFromData = false;
  $('#range-note').hidden = true;
  searchPage = null;
  scheduleTraffic(true);
});
$('#source').addEventListener('change', () => {
  searchPage = null;
  scheduleTraffic(true);
});
$('#search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  criteria = submittedCriteria();
  void search();
});
$('#newest').addEventListener('click', () => void search());
$('#older').addEventListener('click', () => void search(nextCursor));
// A relative range moves with the clock even when no rows arrive.
window.setInterval(() => scheduleTraffic(), 30_000);
window.setInterval(() => void loadSources().catch(() => undefined), 60_000);

// ---- read node ------------------------------------------------------------------------------------

// Reading from a replica or another Galera node (DB_READ_HOST): how far behind the panels may be.
async function loadReadLag() {
  const { lag } = await getJson('/api/read-lag');
  const note = $('#read-lag');
  note.hidden = lag === null;
  if (lag === null) return;
  note.textContent =
    lag.kind === 'galera'
      ? `read node: ${lag.receiveQueue} write sets to apply`
      : !lag.running || lag.secondsBehind === null
        ? 'read replica: replication stopped'
        : `read replica: ${lag.secondsBehind} s behind`;
}
window.setInterval(() => void loadReadLag().catch(() => undefined), 10_000);

connect();
void loadSources().catch(() => undefined);
void loadReadLag().catch(() => undefined);
// The range is fitted to the data first; the first page of the search comes with the traffic.
scheduleTraffic(true);
