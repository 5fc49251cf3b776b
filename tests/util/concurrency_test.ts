import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { forEachLimited } from "../../src/util/concurrency.ts";

describe("forEachLimited()", () => {
  it("hands a task that throws to onError as a failure of its item and runs the rest", async () => {
    const done: number[] = [];
    const failures: { message: string; item: string; index: number }[] = [];
    await forEachLimited(["a", "b", "c", "d"], 2, async (item, index) => {
      await Promise.resolve();
      if (item === "b") throw new Error(`lane failed on ${item}`);
      done.push(index);
    }, {
      onError: (error, item, index) =>
        failures.push({ message: (error as Error).message, item, index }),
    });
    assert.deepEqual(failures, [{ message: "lane failed on b", item: "b", index: 1 }]);
    assert.deepEqual(done.sort(), [0, 2, 3]);
  });

  it("rejects with the error after every item ran when nobody records it", async () => {
    const done: string[] = [];
    await assert.rejects(
      forEachLimited(["a", "b", "c"], 1, async (item) => {
        await Promise.resolve();
        if (item === "a") throw new Error("a is bad");
        done.push(item);
      }),
      { message: "a is bad" },
    );
    assert.deepEqual(done, ["b", "c"]);
  });

  it("rejects with an AggregateError when several tasks throw", async () => {
    await assert.rejects(
      forEachLimited([1, 2], 2, (n) => Promise.reject(new Error(`bad ${n}`))),
      (error: unknown) =>
        error instanceof AggregateError && error.errors.length === 2 &&
        error.message === "2 tasks failed",
    );
  });

  it("starts no item once shouldStop() is true", async () => {
    const done: number[] = [];
    await forEachLimited([1, 2, 3], 1, (n) => Promise.resolve(void done.push(n)), {
      shouldStop: () => done.length === 2,
    });
    assert.deepEqual(done, [1, 2]);
  });
});
