/**
 * Timing of a run, job, matrix combination or stage: its start on the wall clock and its
 * duration on the monotonic one, recorded as `info {start, end, duration_ms}`.
 *
 * @module
 */

import type { Clock } from "../runtime/types.ts";
import { isoTime } from "../util/time.ts";
import type { TimingInfo } from "../models/run_context.ts";

/** `{start, end, duration_ms}` as recorded at every context level. */
export function timingInfo(startMs: number, endMs: number, durationMs: number): TimingInfo {
  return {
    start: isoTime(startMs),
    end: isoTime(endMs),
    duration_ms: Math.round(durationMs * 1000) / 1000,
  };
}

/** The `info` of a node that ended where it started (skipped, kept, never run). */
export function instantInfo(clock: Clock): TimingInfo {
  const now = clock.now();
  return timingInfo(now, now, 0);
}

/** Measures one node: reads both clocks when made, and the monotonic one again on `stop()`. */
export class Timer {
  /** When the node started, epoch ms. */
  readonly startMs: number;
  /** Monotonic milliseconds from the start to the last `stop()`. */
  durationMs = 0;
  readonly #clock: Clock;
  readonly #t0: number;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.startMs = clock.now();
    this.#t0 = clock.monotonic();
  }

  /** Start plus duration, epoch ms, as of the last `stop()` (the wall clock may have been
   * set meanwhile; the monotonic one was not). */
  get endMs(): number {
    return this.startMs + this.durationMs;
  }

  /** Reads the duration so far and returns the `info` the context records. */
  stop(): TimingInfo {
    this.durationMs = this.#clock.monotonic() - this.#t0;
    return timingInfo(this.startMs, this.startMs + this.durationMs, this.durationMs);
  }
}
