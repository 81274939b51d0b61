/**
 * The one publish loop, against a fake publisher: every batch of every source goes out in order, the
 * totals are what the sources read (blank and cut lines included), each confirm reaches the source its
 * batch came from, and a source is closed only once the publisher has confirmed everything.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { LineBatch } from '../../../src/domain/index.js';
import { publishBatches } from '../../../src/pipeline/index.js';
import type { BatchPublisher, OpenPublisher } from '../../../src/pipeline/index.js';
import { StreamSource } from '../../../src/sources/index.js';
import type { Source, SourceCounts } from '../../../src/sources/index.js';

/** Holds each batch until `confirmAll`; `flush` confirms what is held, as the broker would. */
class FakePublisher implements BatchPublisher {
  readonly published: LineBatch[] = [];
  readonly events: string[] = [];
  private held: LineBatch[] = [];

  constructor(private readonly confirmed: (batch: LineBatch) => void) {}

  publish(batch: LineBatch): Promise<void> {
    this.published.push(batch);
    this.held.push(batch);
    this.events.push(`publish ${batch.lines.length}`);
    return Promise.resolve();
  }

  confirmAll(): void {
    // In reverse: the broker confirms in any order.
    for (const batch of this.held.reverse()) this.confirmed(batch);
    this.held = [];
  }

  flush(): Promise<void> {
    this.confirmAll();
    this.events.push('flush');
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.events.push('close');
    return Promise.resolve();
  }
}

function fake(): { open: OpenPublisher; publisher: () => FakePublisher } {
  let made: FakePublisher | undefined;
  return {
    open: (confirmed) => (made = new FakePublisher(confirmed)),
    publisher: () => {
      assert.ok(made, 'the loop opened its publisher');
      return made;
    },
  };
}

const splitting = { batchLines: 2, batchBytes: 1 << 20, maxLineBytes: 10 };

function fileSource(name: string, text: string): StreamSource {
  return new StreamSource({ name, source: name, ...splitting, open: () => Readable.from([text]) });
}

/** A source that hears of its confirms and of its closing, as the follower does. */
class ConfirmingSource implements Source {
  readonly name = 'confirming';
  readonly confirmed: LineBatch[] = [];
  closedAfter: number | undefined;
  private readonly inner = fileSource('confirming', 'c1\nc2\nc3\n');

  constructor(private readonly publisher: () => FakePublisher) {}

  get counts(): Readonly<SourceCounts> {
    return this.inner.counts;
  }

  batches(): AsyncIterable<LineBatch> {
    return this.inner.batches();
  }

  confirm(batch: LineBatch): void {
    this.confirmed.push(batch);
  }

  close(): Promise<void> {
    this.closedAfter = this.publisher().events.length;
    return Promise.resolve();
  }
}

void describe('publishBatches', () => {
  test('publishes every batch of every source in order, and totals what the sources read', async () => {
    const { open, publisher } = fake();
    const sources = [
      fileSource('a.log', 'a1\n\na2\na3\n'),
      fileSource('b.log', 'b1 is longer than ten\n  \n'),
    ];
    const publishing = publishBatches(sources, open);
    const counts = await publishing.done;
    const texts = publisher().published.map((batch) => batch.lines.map((line) => line.bytes.toString()));
    assert.deepEqual(texts, [['a1', 'a2'], ['a3'], ['b1 is long']]);
    assert.deepEqual(
      publisher().published.map((batch) => batch.source),
      ['a.log', 'a.log', 'b.log'],
    );
    assert.deepEqual(counts, {
      lines: 4,
      blank: 2,
      truncated: 1,
      bytes: 'a1\n\na2\na3\n'.length + 'b1 is longer than ten\n  \n'.length,
      confirmed: 4,
      messages: 3,
    });
    assert.equal(publishing.counts, counts, 'the live totals are the ones returned');
    assert.deepEqual(publisher().events.slice(-2), ['flush', 'close']);
  });

  test('hands each confirm to the source of its batch, and closes the source after the last one', async () => {
    const { open, publisher } = fake();
    const confirming = new ConfirmingSource(publisher);
    const heard: LineBatch[] = [];
    const done = publishBatches([fileSource('plain.log', 'p1\n'), confirming], open, {
      onConfirmed: (batch) => heard.push(batch),
    }).done;
    await done;
    const own = publisher().published.filter((batch) => batch.source === 'confirming');
    assert.equal(own.length, 2);
    assert.deepEqual(new Set(confirming.confirmed), new Set(own), 'its own batches, and only those');
    assert.equal(heard.length, 3, 'every confirm is reported');
    assert.equal(confirming.closedAfter, publisher().events.length, 'closed after flush and close');
  });

  test('stops taking batches once aborted; what was taken is still confirmed', async () => {
    const { open, publisher } = fake();
    const controller = new AbortController();
    const published: LineBatch[] = [];
    const counts = await publishBatches(
      [fileSource('a.log', 'a1\na2\na3\na4\na5\n'), fileSource('b.log', 'b1\n')],
      open,
      {
        signal: controller.signal,
        onPublished: (_source, batch) => {
          published.push(batch);
          controller.abort();
        },
      },
    ).done;
    assert.equal(published.length, 1);
    assert.deepEqual(publisher().published, published);
    assert.equal(counts.confirmed, 2);
    assert.equal(counts.messages, 1);
  });

  test('reports progress with the source being read', async () => {
    const { open } = fake();
    const seen: Array<[string, number]> = [];
    await publishBatches([fileSource('a.log', 'a1\na2\na3\n'), fileSource('b.log', 'b1\n')], open, {
      onProgress: (source, totals) => seen.push([source.name, totals.lines]),
    }).done;
    assert.deepEqual(seen.at(-1), ['b.log', 4]);
    assert.ok(seen.some(([name]) => name === 'a.log'));
  });
});
