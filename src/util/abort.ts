/**
 * Abort listeners without piling up on a shared signal: one real listener
 * per signal fans out to any number of callbacks. Many concurrent stages
 * share a job's signal; adding a listener each would trip Node's
 * max-listener warning and cost an allocation per stage.
 *
 * Also what an abort means for the node it stopped: {@linkcode TimeoutReason} tells a timeout
 * from a cancel, {@linkcode statusForAbort} and {@linkcode errorForAbort} turn a reason into the
 * status and error the node records (the executor and the nested stage kinds share them).
 *
 * @module
 */

import { CancelError, StageTimeoutError } from "../errors.ts";

interface Hub {
  readonly callbacks: Set<() => void>;
  readonly listener: () => void;
}

const hubs = new WeakMap<AbortSignal, Hub>();

/**
 * Calls `callback` once when `signal` aborts (at once if it already has).
 * Returns a function that removes the callback; when the last one goes, the
 * one real listener leaves `signal` too, so a scope that ended leaves nothing
 * on its parent.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return () => {};
  }
  let hub = hubs.get(signal);
  if (!hub) {
    const callbacks = new Set<() => void>();
    const listener = () => {
      hubs.delete(signal);
      for (const fn of callbacks) fn();
      callbacks.clear();
    };
    hub = { callbacks, listener };
    hubs.set(signal, hub);
    signal.addEventListener("abort", listener, { once: true });
  }
  const current = hub;
  current.callbacks.add(callback);
  return () => {
    if (!current.callbacks.delete(callback) || current.callbacks.size > 0) return;
    if (hubs.get(signal) === current) hubs.delete(signal);
    signal.removeEventListener("abort", current.listener);
  };
}

/**
 * A signal of its own that aborts (with the same reason) when `parent` does, for one piece of
 * work that adds listeners of its own (a sleep, a subprocess): however many run at once, the
 * parent carries one listener. Call `dispose` when the work ends.
 */
export function childSignal(parent: AbortSignal): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const dispose = onAbort(parent, () => controller.abort(parent.reason));
  return { signal: controller.signal, dispose };
}

/** Why a scope was aborted; lets runners tell a timeout from a cancel. */
export class TimeoutReason extends Error {
  override name = "TimeoutReason";
  constructor(readonly level: "stage" | "job", message: string) {
    super(message);
  }
}

/** Maps an abort reason to the status a node that was stopped by it ends with. */
export function statusForAbort(reason: unknown): "FAILED" | "CANCEL" {
  return reason instanceof TimeoutReason || reason instanceof StageTimeoutError
    ? "FAILED"
    : "CANCEL";
}

/** The error recorded for a node stopped by `reason`. */
export function errorForAbort(reason: unknown): Error {
  if (reason instanceof TimeoutReason) return new StageTimeoutError(reason.message);
  if (reason instanceof Error && reason.name !== "AbortError") {
    return reason instanceof CancelError || reason instanceof StageTimeoutError
      ? reason
      : new CancelError(reason.message);
  }
  return new CancelError("cancelled");
}
