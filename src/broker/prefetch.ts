/**
 * How many messages a consumer asks RabbitMQ for at once (the AMQP prefetch count), so that the bytes
 * it holds stay within a budget. AMQP counts messages, and RabbitMQ ignores the prefetch size, so the
 * count is made from the sizes seen: a budget of 32 MiB is 100 messages of ordinary lines but 25 of
 * 1 MiB. Until a message has shown how large they are, one at a time: a queue of 16 MiB messages
 * would otherwise arrive whole with the first prefetch.
 */

/** Room left for messages somewhat larger than the largest seen, so that sizes near it do not change the count each time. */
const SIZE_MARGIN = 1.25;

export interface PrefetchLimits {
  /** Bytes of message bodies to hold at once, at most (or one message, when it alone is larger). */
  readonly budgetBytes: number;
  /** Messages to hold at once, at most, whatever their size. */
  readonly maxCount: number;
}

/** The count that keeps `count × largest` within the budget, with a margin; 1 before any message is seen. */
export function prefetchCountFor(limits: PrefetchLimits, largestBytes: number): number {
  if (largestBytes <= 0) return 1;
  const count = Math.floor(limits.budgetBytes / (largestBytes * SIZE_MARGIN));
  return Math.max(1, Math.min(limits.maxCount, count));
}

/**
 * What to do after a message of the current subscription arrives: the count to subscribe again with,
 * or `undefined` to keep the current one. Lower at once when the messages in hand could exceed the
 * budget; raise when the sizes seen allow at least twice as many, once as many messages as the count
 * have arrived (so that one small message after large ones does not reopen the gate).
 */
export function nextPrefetchCount(
  limits: PrefetchLimits,
  current: { readonly count: number; readonly largestBytes: number; readonly received: number },
): number | undefined {
  const wanted = prefetchCountFor(limits, current.largestBytes);
  if (current.count > 1 && current.count * current.largestBytes > limits.budgetBytes) return wanted;
  const enough = wanted >= 2 * current.count || (wanted === limits.maxCount && wanted > current.count);
  if (enough && current.received >= current.count) return wanted;
  return undefined;
}
