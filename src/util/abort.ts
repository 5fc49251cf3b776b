/**
 * Abort listeners without piling up on a shared signal: one real listener
 * per signal fans out to any number of callbacks. Many concurrent stages
 * share a job's signal; adding a listener each would trip Node's
 * max-listener warning and cost an allocation per stage.
 *
 * @module
 */

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
