import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMetrics, METRICS } from '../../../src/telemetry/index.js';

/** The value of one sample of the Prometheus text, or undefined when it is absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('metrics', () => {
  test('each recorder moves its own counters, per batch', async () => {
    const metrics = createMetrics();
    metrics.linesRead(100, 12_345);
    metrics.published(100);
    metrics.published(20);
    metrics.confirmed(100);
    metrics.returned();
    metrics.settled('data-lake', 'ack', 100);
    metrics.settled('data-clean', 'dead', 20);
    metrics.settled('data-clean', 'requeue', 5);
    metrics.rowsStored('raw_log', 100);
    metrics.rowsStored('rejected_log', 0);
    metrics.committed('raw_log', 100, 90, 0.02);
    metrics.reconnected('broker');
    const text = await metrics.registry.metrics();
    assert.equal(sample(text, 'lograbbit_lines_read_total'), 100);
    assert.equal(sample(text, 'lograbbit_bytes_read_total'), 12_345);
    assert.equal(sample(text, 'lograbbit_lines_published_total'), 120);
    assert.equal(sample(text, 'lograbbit_messages_published_total'), 2);
    assert.equal(sample(text, 'lograbbit_lines_confirmed_total'), 100);
    assert.equal(sample(text, 'lograbbit_messages_returned_total'), 1);
    assert.equal(sample(text, 'lograbbit_message_lines_count'), 2);
    assert.equal(sample(text, 'lograbbit_message_lines_sum'), 120);
    assert.equal(sample(text, 'lograbbit_messages_consumed_total', '{queue="data-clean"}'), 2);
    assert.equal(sample(text, 'lograbbit_messages_acked_total', '{queue="data-lake"}'), 1);
    assert.equal(sample(text, 'lograbbit_messages_dead_lettered_total', '{queue="data-clean"}'), 1);
    assert.equal(sample(text, 'lograbbit_messages_requeued_total', '{queue="data-clean"}'), 1);
    assert.equal(sample(text, 'lograbbit_lines_consumed_total', '{queue="data-clean"}'), 25);
    assert.equal(sample(text, 'lograbbit_rows_inserted_total', '{table="raw_log"}'), 100);
    assert.equal(sample(text, 'lograbbit_rows_inserted_total', '{table="rejected_log"}'), undefined);
    assert.equal(sample(text, 'lograbbit_rows_duplicate_total', '{writer="raw_log"}'), 10);
    assert.equal(sample(text, 'lograbbit_insert_batch_rows_sum', '{writer="raw_log"}'), 100);
    assert.equal(
      sample(text, 'lograbbit_insert_duration_seconds_bucket', '{le="0.025",writer="raw_log"}'),
      1,
    );
    assert.equal(sample(text, 'lograbbit_insert_duration_seconds_bucket', '{le="0.01",writer="raw_log"}'), 0);
    assert.equal(sample(text, 'lograbbit_reconnects_total', '{service="broker"}'), 1);
    assert.equal(await metrics.total('linesPublished'), 120);
  });

  test('rejects are counted by the code of their reason, one label each', async () => {
    const metrics = createMetrics();
    metrics.rejected(['bad_status', 'bad_status', 'no_format', 'other']);
    const text = await metrics.registry.metrics();
    assert.equal(sample(text, 'lograbbit_lines_rejected_total', '{reason="bad_status"}'), 2);
    assert.equal(sample(text, 'lograbbit_lines_rejected_total', '{reason="no_format"}'), 1);
    assert.equal(sample(text, 'lograbbit_lines_rejected_total', '{reason="other"}'), 1);
    const labels = text.split('\n').filter((line) => line.startsWith('lograbbit_lines_rejected_total{'));
    assert.equal(labels.length, 3);
  });

  test('queue depths are read when scraped, once per scrape for both gauges', async () => {
    const metrics = createMetrics();
    let reads = 0;
    let ready = 5;
    metrics.watchQueueDepths(() => {
      reads++;
      return Promise.resolve([{ queue: 'data-lake', ready, consumers: 2 }]);
    });
    let text = await metrics.registry.metrics();
    assert.equal(sample(text, 'lograbbit_queue_messages_ready', '{queue="data-lake"}'), 5);
    assert.equal(sample(text, 'lograbbit_queue_consumers', '{queue="data-lake"}'), 2);
    assert.equal(reads, 1);
    ready = 0;
    await new Promise((resolve) => setImmediate(resolve));
    text = await metrics.registry.metrics();
    assert.equal(sample(text, 'lograbbit_queue_messages_ready', '{queue="data-lake"}'), 0);
    assert.equal(reads, 2);
  });

  test('a failing depth read leaves the gauges empty instead of failing the scrape', async () => {
    const metrics = createMetrics();
    metrics.watchQueueDepths(() => Promise.reject(new Error('broker away')));
    const text = await metrics.registry.metrics();
    assert.equal(sample(text, 'lograbbit_queue_messages_ready', '{queue="data-lake"}'), undefined);
  });

  test('follow lag is set per file and removed when the file is no longer followed', async () => {
    const metrics = createMetrics();
    metrics.followLag('/var/log/a.log', 1024);
    metrics.followLag('/var/log/b.log', 0);
    let text = await metrics.registry.metrics();
    assert.equal(sample(text, 'lograbbit_follow_lag_bytes', '{file="/var/log/a.log"}'), 1024);
    metrics.followLag('/var/log/a.log', null);
    text = await metrics.registry.metrics();
    assert.equal(sample(text, 'lograbbit_follow_lag_bytes', '{file="/var/log/a.log"}'), undefined);
    assert.equal(sample(text, 'lograbbit_follow_lag_bytes', '{file="/var/log/b.log"}'), 0);
  });

  test('two registries never share counts; process metrics only when asked', async () => {
    const a = createMetrics();
    const b = createMetrics({ processMetrics: true });
    a.confirmed(7);
    assert.equal(await b.total('linesConfirmed'), 0);
    assert.match(await b.registry.metrics(), /process_cpu_user_seconds_total/);
    assert.doesNotMatch(await a.registry.metrics(), /process_cpu_user_seconds_total/);
  });

  test('every declared metric is registered, with the lograbbit_ prefix', async () => {
    const text = await createMetrics().registry.metrics();
    for (const spec of Object.values(METRICS)) {
      assert.match(spec.name, /^lograbbit_[a-z_]+$/);
      assert.ok(text.includes(`# HELP ${spec.name} `), spec.name);
    }
  });
});
