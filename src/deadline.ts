/**
 * Waiting for work with a deadline. Shutdown and health checks must end even when a service leaves a
 * request unanswered; the timer never keeps the process alive on its own.
 */
export type Settled<T> =
  | { readonly outcome: 'fulfilled'; readonly value: T }
  | { readonly outcome: 'rejected'; readonly error: unknown }
  | { readonly outcome: 'late' };

/** How `work` settled within `ms`, or `late` when it had not by then (it is left to settle on its own). */
export async function settledWithin<T>(work: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ outcome: 'late' }), ms);
    timer.unref();
  });
  try {
    return await Promise.race([
      work.then(
        (value): Settled<T> => ({ outcome: 'fulfilled', value }),
        (error: unknown): Settled<T> => ({ outcome: 'rejected', error }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
