/**
 * A fake {@linkcode Clock} that only moves when a test tells it to. Sleeping
 * timers fire in time order as the clock is advanced; `timeout` signals abort
 * the same way.
 *
 * @module
 */
import type { Clock } from "./types.ts";

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly fire: () => void;
}

/** Lets pending promise callbacks (including chains of awaits) run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * A hand-driven clock for tests.
 *
 * @example
 * ```ts
 * const clock = new FakeClock(Date.UTC(2024, 0, 1));
 * const slept = clock.sleep(1000);
 * await clock.advance(1000); // `slept` is now resolved
 * ```
 */
export class FakeClock implements Clock {
  #wall: number;
  #elapsed = 0;
  #order = 0;
  #timers: Timer[] = [];

  /** Starts at wall time `start` (epoch ms). @default 0 */
  constructor(start = 0) {
    this.#wall = start;
  }

  /** The fake wall-clock time. */
  now(): number {
    return this.#wall;
  }

  /** Fake milliseconds elapsed since the clock was made (moves with `advance` only). */
  monotonic(): number {
    return this.#elapsed;
  }

  /**
   * Resolves when the clock has been advanced by `ms`; rejects with `signal.reason` on abort.
   *
   * @param ms How long to sleep, in fake time.
   * @param options An optional `signal` that rejects the sleep when aborted.
   */
  sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const timer = this.#schedule(ms, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      const onAbort = () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** A signal that aborts with a `TimeoutError` once the clock has advanced by `ms`. */
  timeout(ms: number): AbortSignal {
    const controller = new AbortController();
    this.#schedule(ms, () => {
      controller.abort(new DOMException("The operation timed out.", "TimeoutError"));
    });
    return controller.signal;
  }

  /** How many sleeps and timeouts are waiting. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order and letting the code they wake
   * run before the next one fires.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#elapsed + Math.max(0, ms);
    await settle();
    while (true) {
      const next = this.#nextDue(target);
      if (!next) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#wall += next.at - this.#elapsed;
      this.#elapsed = next.at;
      next.fire();
      await settle();
    }
    this.#wall += target - this.#elapsed;
    this.#elapsed = target;
    await settle();
  }

  /** Moves the wall clock to `epochMs`: forward is an `advance`; backward only resets the
   * wall time (no timer fires). */
  async set(epochMs: number): Promise<void> {
    if (epochMs >= this.#wall) {
      await this.advance(epochMs - this.#wall);
    } else {
      this.#wall = epochMs;
    }
  }

  /** Advances until no timer is waiting (at most `maxSteps` timers, to stop runaway loops).
   * @default maxSteps 10000 */
  async runUntilIdle(maxSteps = 10000): Promise<void> {
    for (let step = 0; step < maxSteps; step++) {
      await settle();
      const next = this.#timers.reduce<Timer | undefined>(
        (
          best,
          t,
        ) => (!best || t.at < best.at || (t.at === best.at && t.order < best.order) ? t : best),
        undefined,
      );
      if (!next) return;
      await this.advance(next.at - this.#elapsed);
    }
    throw new Error(`FakeClock.runUntilIdle(): timers still pending after ${maxSteps} steps`);
  }

  #schedule(ms: number, fire: () => void): Timer {
    const timer = { at: this.#elapsed + Math.max(0, ms), order: this.#order++, fire };
    this.#timers.push(timer);
    return timer;
  }

  #nextDue(target: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers) {
      if (t.at > target) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.order < best.order)) best = t;
    }
    return best;
  }
}
