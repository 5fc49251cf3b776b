import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { oneJob, runStages } from "../stages/_stage_helpers.ts";
import { childSignal, onAbort } from "../../src/util/abort.ts";

/**
 * Counts the live `abort` listeners of every AbortSignal while `work` runs (through
 * `EventTarget.prototype`, which every runtime's AbortSignal inherits). Node warns
 * (`MaxListenersExceededWarning`) as soon as one signal holds more than 10.
 */
async function countAbortListeners<T>(
  work: () => Promise<T>,
): Promise<{ value: T; max: number; live: (signal: AbortSignal) => number }> {
  const proto = EventTarget.prototype;
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  const live = new Map<EventTarget, Set<unknown>>();
  let max = 0;
  proto.addEventListener = function (this: EventTarget, type, listener, options) {
    if (type === "abort" && this instanceof AbortSignal && listener) {
      const set = live.get(this) ?? new Set();
      live.set(this, set);
      set.add(listener);
      max = Math.max(max, set.size);
      // A once-listener leaves when it fires.
      if (typeof options === "object" && options?.once) {
        add.call(this, "abort", () => set.delete(listener), { once: true });
      }
    }
    return add.call(this, type, listener, options);
  };
  proto.removeEventListener = function (this: EventTarget, type, listener, options) {
    if (type === "abort" && listener) live.get(this)?.delete(listener);
    return remove.call(this, type, listener, options);
  };
  try {
    const value = await work();
    return { value, max, live: (signal) => live.get(signal)?.size ?? 0 };
  } finally {
    proto.addEventListener = add;
    proto.removeEventListener = remove;
  }
}

describe("abort listeners", () => {
  it("a run of many concurrent sleeping and shell stages never puts more than 10 listeners on one signal, and leaves none on the caller's", async () => {
    const caller = new AbortController();
    const { value: run, max, live } = await countAbortListeners(() =>
      runStages(
        oneJob(`
        - name: each
          id: each
          foreach: [${Array.from({ length: 30 }, (_, i) => i).join(", ")}]
          concurrent: 30
          stages:
            - name: nap
              sleep: 0.02
            - name: shell
              sh: "true"
        - name: branches
          id: branches
          max-workers: 15
          parallel:
${
          Array.from({ length: 15 }, (_, i) => `            b${i}: [{ name: nap, sleep: 0.02 }]`)
            .join("\n")
        }
      `),
        { signal: caller.signal },
      )
    );
    assert.equal(run.result.status, "SUCCESS");
    assert.ok(max <= 10, `one signal held ${max} abort listeners at once`);
    assert.equal(live(caller.signal), 0);
  });

  it("onAbort() takes its one real listener off the signal when the last callback goes", async () => {
    const controller = new AbortController();
    const { max, live } = await countAbortListeners(() => {
      const offs = Array.from({ length: 50 }, () => onAbort(controller.signal, () => {}));
      const child = childSignal(controller.signal);
      for (const off of offs) off();
      child.dispose();
      return Promise.resolve();
    });
    assert.equal(max, 1);
    assert.equal(live(controller.signal), 0);
  });
});
