/**
 * A byte stream read once as a source: a file, or standard input. A live stream (standard input fed
 * by `tail -F` or a web server's piped logging) hands out lines waiting for their batch to fill after
 * `batchLingerMs`, so a quiet stream's lines do not wait for the next hundred.
 */
import type { LineBatch } from '../../domain/index.js';
import { NO_COUNTS } from '../source.js';
import type { Source, SourceCounts } from '../source.js';
import { LineSplitter } from './line-splitter.js';
import type { LineSplitterOptions } from './line-splitter.js';

export interface StreamSourceOptions extends LineSplitterOptions {
  /** What to call it in messages: the path, or `stdin`. */
  readonly name: string;
  /** Opens the stream; called once, when the source is read. */
  readonly open: () => AsyncIterable<Buffer | string>;
  /** Size in bytes when known (files), for progress. */
  readonly sizeBytes?: number;
  /** A live stream: how long lines wait for their batch to fill, in ms. Undefined for a file. */
  readonly batchLingerMs?: number;
}

export class StreamSource implements Source {
  private splitter: LineSplitter | undefined;

  constructor(private readonly options: StreamSourceOptions) {}

  get name(): string {
    return this.options.name;
  }

  get sizeBytes(): number | undefined {
    return this.options.sizeBytes;
  }

  get counts(): Readonly<SourceCounts> {
    return this.splitter?.counts ?? NO_COUNTS;
  }

  batches(): AsyncIterable<LineBatch> {
    this.splitter = new LineSplitter(this.options);
    const chunks = this.options.open();
    const lingerMs = this.options.batchLingerMs;
    return lingerMs === undefined
      ? readBatches(chunks, this.splitter)
      : readLiveBatches(chunks, this.splitter, lingerMs);
  }
}

/**
 * The batches of `chunks` as they fill, then the last partial batch. Iteration pulls chunks only as
 * fast as the batches are taken.
 */
async function* readBatches(
  chunks: AsyncIterable<Buffer | string>,
  splitter: LineSplitter,
): AsyncGenerator<LineBatch> {
  for await (const chunk of chunks) {
    yield* splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  }
  yield* splitter.end();
}

/** As `readBatches`, and a partial batch goes out once its first line has waited `lingerMs`. */
async function* readLiveBatches(
  chunks: AsyncIterable<Buffer | string>,
  splitter: LineSplitter,
  lingerMs: number,
): AsyncGenerator<LineBatch> {
  const iterator = chunks[Symbol.asyncIterator]();
  let next = iterator.next();
  for (;;) {
    let result: IteratorResult<Buffer | string> | 'linger';
    if (splitter.waiting === 0) result = await next;
    else {
      let timer: NodeJS.Timeout | undefined;
      const linger = new Promise<'linger'>((resolve) => {
        timer = setTimeout(() => resolve('linger'), lingerMs);
      });
      result = await Promise.race([next, linger]);
      clearTimeout(timer);
    }
    if (result === 'linger') {
      const batch = splitter.flush();
      if (batch) yield batch;
      continue;
    }
    if (result.done) break;
    next = iterator.next();
    const chunk = result.value;
    yield* splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  }
  yield* splitter.end();
}
