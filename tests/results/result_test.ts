import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { resultToJson, toJsonValue } from "../../src/results/result.ts";
import { Masker } from "../../src/util/mask.ts";

describe("resultToJson()", () => {
  it("uses snake_case ids, null for a missing parent, and ISO strings for dates", () => {
    const json = resultToJson({
      status: "SUCCESS",
      runId: "r-1",
      context: { params: { at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }, skipped: undefined },
    });
    assert.deepEqual(json, {
      status: "SUCCESS",
      run_id: "r-1",
      parent_run_id: null,
      context: { params: { at: "2024-01-02T03:04:05.000Z" } },
    });
    assert.equal(JSON.stringify(json), JSON.stringify(JSON.parse(JSON.stringify(json))));
  });

  it("masks secrets in every string of the context, keys included", () => {
    const masker = new Masker();
    masker.add("tok-123456");
    const json = resultToJson({
      status: "FAILED",
      runId: "r-2",
      parentRunId: "p-1",
      context: {
        errors: { name: "StageError", message: "curl failed with tok-123456" },
        outputs: { "tok-123456": ["a tok-123456 b"] },
      },
    }, masker);
    assert.deepEqual(json, {
      status: "FAILED",
      run_id: "r-2",
      parent_run_id: "p-1",
      context: {
        errors: { name: "StageError", message: "curl failed with ***" },
        outputs: { "***": ["a *** b"] },
      },
    });
  });
});

describe("toJsonValue()", () => {
  it("converts maps, sets, bigints, errors and non-finite numbers to JSON data", () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    assert.deepEqual(
      toJsonValue({
        map: new Map([["a", 1]]),
        set: new Set([1, 2]),
        big: 10n,
        error: new TypeError("bad"),
        nan: Number.NaN,
        list: [undefined, () => 1],
        cyclic,
      }),
      {
        map: { a: 1 },
        set: [1, 2],
        big: "10",
        error: { name: "TypeError", message: "bad" },
        nan: null,
        list: [null, null],
        cyclic: { name: "loop", self: "[Circular]" },
      },
    );
  });
});
