/**
 * The one retry loop of stages and jobs: attempts, a delay that grows by `backoff` up to
 * `max-delay`, a warning before each wait, and a wait that ends as soon as the caller aborts.
 *
 * @module
 */

import type { RetrySpec } from "../models/types.ts";
import type { Clock } from "../runtime/types.ts";
import { childSignal } from "../util/abort.ts";

/** Options of {@linkcode withRetry}. */
export interface RetryOptions<T> {
  /** The node's `retry:`; absent → one attempt. */
  readonly policy?: RetrySpec;
  /** Whose `sleep` times the waits between attempts. */
  readonly clock: Clock;
  /** Aborting ends a wait between attempts (and no further attempt starts). */
  readonly signal: AbortSignal;
  /** Whether an attempt's result should be tried again (when attempts are left). */
  readonly retriable: (result: T) => boolean;
  /** Called before waiting `delayMs` for attempt `attempt + 1` (the warning log line). */
  readonly onRetry: (result: T, attempt: number, attempts: number, delayMs: number) => void;
  /** The result to keep when `signal` aborts during a wait. @default the last attempt's */
  readonly onAbortedWait?: (last: T, reason: unknown) => T;
}

/** What {@linkcode withRetry} returns: the last attempt's result and how many were made. */
export interface Retried<T> {
  readonly result: T;
  readonly attempts: number;
}

/**
 * Runs `attempt` up to `policy.attempts` times: again after a `retriable` result, waiting
 * `delay`, then `delay × backoff` (capped by `max-delay`) and so on. Never throws what
 * `attempt` does not.
 *
 * @param attempt Runs one attempt (numbered from 1) and returns its result.
 * @param options Policy, clock, signal and the hooks that decide and report retries.
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions<T>,
): Promise<Retried<T>> {
  const { policy, clock, signal } = options;
  const attempts = policy?.attempts ?? 1;
  let delay = policy?.delayMs ?? 0;
  for (let n = 1;; n++) {
    const result = await attempt(n);
    if (n >= attempts || !options.retriable(result)) return { result, attempts: n };
    options.onRetry(result, n, attempts, delay);
    // A wait of its own, so many waiting retries leave one listener on a shared signal.
    const pause = childSignal(signal);
    try {
      await clock.sleep(delay, { signal: pause.signal });
    } catch {
      const kept = options.onAbortedWait ? options.onAbortedWait(result, signal.reason) : result;
      return { result: kept, attempts: n };
    } finally {
      pause.dispose();
    }
    delay = Math.min(delay * (policy?.backoff ?? 1), policy?.maxDelayMs ?? Infinity);
  }
}
