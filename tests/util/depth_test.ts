import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { tooDeep } from "../../src/util/depth.ts";

describe("tooDeep()", () => {
  it("accepts data up to the limit and names the first path beyond it", () => {
    assert.equal(tooDeep(1, 0), undefined);
    assert.equal(tooDeep({ a: [1] }, 2), undefined);
    assert.equal(tooDeep([[[1]]], 2), "[0][0]");
    assert.equal(tooDeep({ a: 1, b: { c: { d: {} } } }, 2), ".b.c");
  });

  it("measures 1,000,000 levels without overflowing the stack", () => {
    let value: unknown = [];
    for (let i = 0; i < 1_000_000; i++) value = [value];
    assert.equal(tooDeep(value, 200), "[0][0][0][0]…[0][0]");
  });
});
