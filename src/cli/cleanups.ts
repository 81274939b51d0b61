/**
 * A command's stack of cleanups: each thing it opens registers how to close it, and they close in
 * reverse order, once, however the command ends. One failed close neither hides the error that ended
 * the command nor stops the closes after it: it is logged, and thrown only when nothing failed before.
 *
 * Not Node's `AsyncDisposableStack` (and `await using`): Node 22, which `engines` admits, does not have
 * it, and it throws every failure wrapped in a `SuppressedError` where a command wants its first error
 * as it was (the exit code depends on its class).
 */
import { messageOf } from '../errors.js';
import type { Logger } from '../telemetry/index.js';

export interface Cleanups {
  /**
   * Registers `close`, to run before every close registered earlier. Returns it, run at most once:
   * call it to close early (its error is then the caller's), and the stack skips it.
   */
  defer(close: () => unknown): () => Promise<void>;
  /** Runs every close not run yet, the last registered first. */
  close(failed?: boolean): Promise<void>;
}

export function cleanups(log: Logger): Cleanups {
  /** The closes not run yet: one run early leaves the stack, its error being its caller's. */
  const stack = new Set<() => Promise<void>>();
  return {
    defer(close) {
      let closing: Promise<void> | undefined;
      const once = (): Promise<void> => {
        stack.delete(once);
        return (closing ??= (async () => void (await close()))());
      };
      stack.add(once);
      return once;
    },
    async close(failed = false) {
      let first: { error: unknown } | undefined;
      for (let close = lastOf(stack); close; close = lastOf(stack)) {
        try {
          await close();
        } catch (error) {
          if (failed || first) {
            log.warn({ error: messageOf(error) }, 'could not close cleanly; closing the rest');
          } else first = { error };
        }
      }
      if (first) throw first.error;
    },
  };
}

function lastOf<T>(set: ReadonlySet<T>): T | undefined {
  return [...set].at(-1);
}

/**
 * Runs `body` with a stack of cleanups, then closes them: after an error of `body`, which is thrown as
 * it was; else the first error of a close is thrown once all have run.
 */
export async function withCleanups<T>(log: Logger, body: (resources: Cleanups) => Promise<T>): Promise<T> {
  const resources = cleanups(log);
  let result: T;
  try {
    result = await body(resources);
  } catch (error) {
    await resources.close(true);
    throw error;
  }
  await resources.close();
  return result;
}
