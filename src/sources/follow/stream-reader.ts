/**
 * A live byte stream (standard input fed by `tail -F` or a web server's piped logging) as line
 * batches: like reading a file once, except that lines waiting for their batch to fill are handed out
 * after `batchLingerMs`, so a quiet stream's lines do not wait for the next hundred.
 */
import type { LineBatch } from '../../domain/index.js';
import { LineSplitter } from '../file/index.js';
import type { LineSplitterOptions, SplitterCounts } from '../file/index.js';

export async function* readLiveBatches(
  chunks: AsyncIterable<Buffer | string>,
  options: LineSplitterOptions & { readonly batchLingerMs: number },
  counts?: (counts: Readonly<SplitterCounts>) => void,
): AsyncGenerator<LineBatch> {
  const splitter = new LineSplitter(options);
  const iterator = chunks[Symbol.asyncIterator]();
  let next = iterator.next();
  for (;;) {
    let result: IteratorResult<Buffer | string> | 'linger';
    if (splitter.waiting === 0) result = await next;
    else {
      let timer: NodeJS.Timeout | undefined;
      const linger = new Promise<'linger'>((resolve) => {
        timer = setTimeout(() => resolve('linger'), options.batchLingerMs);
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
    const batches = splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    counts?.(splitter.counts);
    yield* batches;
  }
  const last = splitter.end();
  counts?.(splitter.counts);
  yield* last;
}
