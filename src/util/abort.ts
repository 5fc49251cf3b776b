/**
 * Abort listeners without piling up on a shared signal: one real listener
 * per signal fans out to any number of callbacks. Many concurrent stages
 * share a job's signal; adding a listener each would trip Node's
 * max-listener warning and cost an allocation per stage.
 *
 * @module
 */

const hubs = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `callback` once when `signal` aborts (at once if it already has).
 * Returns a function that removes the callback.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return () => {};
  }
  let callbacks = hubs.get(signal);
  if (!callbacks) {
    const set = new Set<() => void>();
    callbacks = set;
    hubs.set(signal, set);
    signal.addEventListener("abort", () => {
      hubs.delete(signal);
      for (const fn of set) fn();
      set.clear();
    }, { once: true });
  }
  callbacks.add(callback);
  const set = callbacks;
  return () => {
    set.delete(callback);
  };
}
