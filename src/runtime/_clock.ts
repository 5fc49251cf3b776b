/**
 * The real {@linkcode Clock} built on the web timers every host provides.
 *
 * @module
 */
import { abortReason } from "./_output.ts";
import type { Clock } from "./types.ts";

/** A clock reading the system time; `sleep` uses `setTimeout`, `timeout` uses
 * `AbortSignal.timeout`, whose timer (like the web API) does not by itself keep the process
 * alive, so a forgotten long timeout never delays exit. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
  timeout: (ms: number) => AbortSignal.timeout(Math.max(0, ms)),
};
