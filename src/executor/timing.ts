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

/** A node's measured time, from {@linkcode Timer.stop}. */
export interface Timing {
  /** Monotonic milliseconds since the timer started. */
  readonly durationMs: number;
  /** Start plus duration, epoch ms (the wall clock may have moved otherwise meanwhile). */
  readonly endMs: number;
  /** What the context records. */
  readonly info: TimingInfo;
}

/** Measures one node: reads both clocks when made, and the monotonic one again on `stop()`. */
export class Timer {
  /** When the node started, epoch ms. */
  readonly startMs: number;
  readonly #clock: Clock;
  readonly #t0: number;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.startMs = clock.now();
    this.#t0 = clock.monotonic();
  }

  /** The node's duration so far, its end and its `info`. */
  stop(): Timing {
    const durationMs = this.#clock.monotonic() - this.#t0;
    const endMs = this.startMs + durationMs;
    return { durationMs, endMs, info: timingInfo(this.startMs, endMs, durationMs) };
  }
}
