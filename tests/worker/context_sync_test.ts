import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  applyContextPatch,
  ContextMirror,
  type ContextPatch,
} from "../../src/worker/context_sync.ts";

/** Sends `contexts` one after another to one simulated worker; returns what each job saw
 * and the patches sent. Each patch goes through `structuredClone`, as `postMessage` does. */
function replay(contexts: readonly unknown[]): { seen: unknown[]; patches: ContextPatch[] } {
  const mirror = new ContextMirror();
  let held: unknown;
  const seen: unknown[] = [];
  const patches: ContextPatch[] = [];
  for (const context of contexts) {
    const { patch, commit } = mirror.diff(context);
    patches.push(patch);
    held = applyContextPatch(held, structuredClone(patch));
    commit();
    seen.push(held);
  }
  return { seen, patches };
}

/** JSON text keeps key order, which `deepEqual` ignores. */
const text = (value: unknown) => JSON.stringify(value);

const entry = (n: number) => ({ status: "SUCCESS", outputs: { n, text: "x".repeat(20) } });

describe("ContextMirror and applyContextPatch()", () => {
  it("give a worker each job's whole context while sending only the entries it lacks", () => {
    const params = { n: 1 };
    const stages: Record<string, unknown> = {};
    const contexts: Record<string, unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      contexts.push({ params, jobs: {}, matrix: {}, stages: { ...stages } });
      stages[`s${i}`] = entry(i);
    }
    const { seen, patches } = replay(contexts);
    assert.deepEqual(seen.map(text), contexts.map(text));
    assert.deepEqual(patches[0], { whole: contexts[0] });
    assert.deepEqual(patches[4], {
      keys: ["params", "jobs", "matrix", "stages"],
      values: [],
      entries: [["stages", { set: [["s3", entry(3)]], drop: [] }]],
    });
  });

  it("drop entries and new keys when a worker moves between nested scopes", () => {
    const base = { get: entry(0) };
    const left = { params: {}, stages: { ...base, l1: entry(1) }, branch: "left" };
    const right = { params: {}, stages: { ...base, r1: entry(2) }, branch: "right" };
    const item = { params: {}, stages: { ...base }, item: { id: 7 }, loop: 0 };
    const back = { params: {}, stages: { ...base, l1: entry(3) } };
    const contexts = [left, right, item, back, left];
    const { seen } = replay(contexts);
    assert.deepEqual(seen.map(text), contexts.map(text));
  });

  it("keep the key order of integer-like keys, which objects list first", () => {
    const contexts = [
      { stages: { b: entry(0), "7427491220": entry(1) } },
      { stages: { b: entry(0), "7427491220": entry(1), "12": entry(2), a: entry(3) } },
      { stages: { a: entry(3), b: entry(0) } },
      { stages: { b: entry(0), a: entry(3) } },
    ];
    const { seen } = replay(contexts);
    assert.deepEqual(seen.map((c) => Object.keys((c as { stages: object }).stages)), [
      ["b", "7427491220"],
      ["12", "b", "7427491220", "a"],
      ["a", "b"],
      ["b", "a"],
    ]);
    assert.deepEqual(seen.map(text), contexts.map(text));
  });

  it("keep an entry named __proto__ as an own entry", () => {
    const stages = JSON.parse('{"__proto__": {"status": "SUCCESS"}, "a": {"status": "SKIP"}}');
    const contexts = [{ stages: {} }, { stages }];
    const { seen } = replay(contexts);
    const got = (seen[1] as { stages: Record<string, unknown> }).stages;
    assert.deepEqual(Object.keys(got), ["__proto__", "a"]);
    assert.equal(Object.getPrototypeOf(got), Object.prototype);
  });

  it("send contexts that are not plain objects whole, every time", () => {
    const contexts = [[1, 2], null, { a: 1 }, "text", { a: 1 }];
    const { seen, patches } = replay(contexts);
    assert.deepEqual(seen, contexts);
    assert.deepEqual(patches.map((p) => "whole" in p), [true, true, true, true, true]);
  });

  it("leave the worker's context as it was when a job was not sent (no commit)", () => {
    const mirror = new ContextMirror();
    const first = { stages: { a: entry(0) } };
    const sent = mirror.diff(first);
    let held = applyContextPatch(undefined, sent.patch);
    sent.commit();
    mirror.diff({ stages: { a: entry(0), lost: entry(1) } }); // never sent, never committed
    const third = { stages: { a: first.stages.a, b: entry(2) } };
    held = applyContextPatch(held, mirror.diff(third).patch);
    assert.equal(text(held), text(third));
  });
});
