/**
 * The retry policy of stages and jobs as one running node sees it: how many attempts, a delay
 * that grows by `backoff` up to `max-delay`, and a wait that ends as soon as the caller aborts.
 * The caller keeps its attempt inline and asks {@linkcode Retries} whether and when to go again,
 * so a node without `retry:` pays nothing for the policy.
 *
 * @module
 */

import type { RetrySpec } from "../models/types.ts";
import type { Clock } from "../runtime/types.ts";
import { childSignal } from "../util/abort.ts";

/**
 * The attempts of one stage or job under its `retry:` policy. The caller loops: try once; stop
 * unless the attempt failed and {@linkcode Retries.left}; log; `await wait()`; go again.
 */
export class Retries {
  /** The attempt being made, numbered from 1. */
  attempt = 1;
  /** How many attempts the policy allows. */
  readonly attempts: number;
  /** The wait before the next attempt. */
  delayMs: number;
  readonly #policy: RetrySpec;
  readonly #clock: Clock;
  readonly #signal: AbortSignal;

  /**
   * The retries of a node, or `undefined` when its policy allows one attempt only.
   *
   * @param policy The node's `retry:`.
   * @param clock Whose `sleep` times the waits.
   * @param signal Aborting ends a wait (and no further attempt starts).
   */
  static of(
    policy: RetrySpec | undefined,
    clock: Clock,
    signal: AbortSignal,
  ): Retries | undefined {
    return policy && policy.attempts > 1 ? new Retries(policy, clock, signal) : undefined;
  }

  private constructor(policy: RetrySpec, clock: Clock, signal: AbortSignal) {
    this.#policy = policy;
    this.#clock = clock;
    this.#signal = signal;
    this.attempts = policy.attempts;
    this.delayMs = policy.delayMs;
  }

  /** Whether an attempt is left after the current one. */
  get left(): boolean {
    return this.attempt < this.attempts;
  }

  /**
   * Waits `delayMs`, then counts the next attempt and grows the delay for the one after.
   * Resolves `false` when the signal aborted the wait: no further attempt may start.
   */
  async wait(): Promise<boolean> {
    // A wait of its own, so many waiting retries leave one listener on a shared signal.
    const pause = childSignal(this.#signal);
    try {
      await this.#clock.sleep(this.delayMs, { signal: pause.signal });
    } catch {
      return false;
    } finally {
      pause.dispose();
    }
    this.attempt++;
    this.delayMs = Math.min(this.delayMs * this.#policy.backoff, this.#policy.maxDelayMs);
    return true;
  }
}
