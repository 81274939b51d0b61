/** Reads a finished byte stream (a file read once, standard input) as line batches. */
import type { LineBatch } from '../../domain/index.js';
import { LineSplitter } from './line-splitter.js';
import type { LineSplitterOptions, SplitterCounts } from './line-splitter.js';

/**
 * Yields the batches of `chunks` as they fill, then the last partial batch; `counts` is updated as
 * lines are read. Iteration pulls chunks only as fast as the consumer of the batches takes them.
 */
export async function* readLineBatches(
  chunks: AsyncIterable<Buffer | string>,
  options: LineSplitterOptions,
  counts?: (counts: Readonly<SplitterCounts>) => void,
): AsyncGenerator<LineBatch> {
  const splitter = new LineSplitter(options);
  for await (const chunk of chunks) {
    const batches = splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    counts?.(splitter.counts);
    yield* batches;
  }
  const last = splitter.end();
  counts?.(splitter.counts);
  yield* last;
}
