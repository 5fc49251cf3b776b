import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { hashId, newRunId, strategyId } from "../../src/executor/ids.ts";
import { expandMatrix } from "../../src/executor/matrix.ts";
import { decideTriggerRule } from "../../src/executor/trigger_rule.ts";
import { JobError } from "../../src/errors.ts";

describe("hashId()", () => {
  const vectors: [string, string][] = [
    ["{}", "1354680202"],
    ["Sleep", "7972360640"],
    ["Echo hello world", "1772094681"],
    ["Empty Stage", "4083404693"],
    ["Hello stage", "9818133124"],
    ["Empty stage", "6708019737"],
    ["Echo stage", "2709471980"],
    ["Final Echo", "9263488742"],
    ["Set item", "3635623619"],
    ["{'sleep': '0.1'}", "9873503202"],
    ["{'sleep': '1'}", "2150810470"],
    ["{'table': 'customer', 'system': 'csv', 'partition': 2}", "9696245497"],
    ["{'name': 'foo'}", "5027535057"],
    ["Call-out", "0663452000"],
  ];
  for (const [text, id] of vectors) {
    it(`hashes ${JSON.stringify(text)} to the reference id ${id}`, () => {
      assert.equal(hashId(text), id);
    });
  }
});

describe("strategyId()", () => {
  it("hashes the Python rendering of a combination like the reference", () => {
    assert.equal(strategyId({ table: "customer", system: "csv", partition: 2 }), "9696245497");
    assert.equal(strategyId({ sleep: "0.1" }), "9873503202");
    assert.equal(strategyId({ name: "foo" }), "5027535057");
    assert.equal(strategyId({}), "1354680202");
    assert.equal(strategyId({ env: "dev" }), "4637885294");
    assert.equal(strategyId({ env: "prod" }), "0870953052");
  });
});

describe("newRunId()", () => {
  it("formats YYYYmmddHHMMSSffffffT plus ten digits, unique within one millisecond", () => {
    const at = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
    const a = newRunId(at);
    const b = newRunId(at);
    assert.match(a, /^20240102030405678\d{3}T\d{10}$/);
    assert.notEqual(a, b);
  });
});

describe("expandMatrix()", () => {
  it("keeps the reference's worked example: partial excludes and an include", () => {
    const combos = expandMatrix(
      { table: ["customer", "sales"], system: ["csv"], partition: [1, 2, 3] },
      [{ table: "customer", system: "csv", partition: 4 }],
      [{ table: "customer", system: "csv", partition: 1 }, { table: "sales", partition: 3 }],
    );
    assert.deepEqual(combos, [
      { table: "customer", system: "csv", partition: 2 },
      { table: "customer", system: "csv", partition: 3 },
      { table: "sales", system: "csv", partition: 1 },
      { table: "sales", system: "csv", partition: 2 },
      { table: "customer", system: "csv", partition: 4 },
    ]);
  });
  it("varies the first key slowest", () => {
    assert.deepEqual(expandMatrix({ a: [1, 2], b: ["x", "y"] }), [
      { a: 1, b: "x" },
      { a: 1, b: "y" },
      { a: 2, b: "x" },
      { a: 2, b: "y" },
    ]);
  });
  it("returns one empty combination for an empty matrix", () => {
    assert.deepEqual(expandMatrix({}), [{}]);
  });
  it("skips an include already covered by a combination", () => {
    assert.deepEqual(expandMatrix({ a: [1, 2] }, [{ a: 1 }]), [{ a: 1 }, { a: 2 }]);
  });
  it("rejects an include with keys no combination has", () => {
    assert.throws(
      () => expandMatrix({ a: [1] }, [{ z: 1 }]),
      (e: unknown) =>
        e instanceof JobError &&
        /include \{"z":1\} has keys that no combination has/.test(e.message),
    );
  });
  it("rejects more combinations than the cap, naming the count", () => {
    assert.throws(
      () => expandMatrix({ a: [1, 2, 3], b: [1, 2, 3] }, [], [], { maxCombinations: 8 }),
      /matrix expands to 9 combinations, more than the limit of 8/,
    );
  });
  it("rejects a value that is not a list", () => {
    assert.throws(() => expandMatrix({ a: "x" }), /matrix 'a' must be a list, got string/);
  });
});

describe("decideTriggerRule()", () => {
  const cases: [Parameters<typeof decideTriggerRule>[0], string[], string][] = [
    ["all_success", ["SUCCESS", "SUCCESS"], "run"],
    ["all_success", ["SUCCESS", "FAILED"], "skip"],
    ["all_success", ["SUCCESS", "SKIP"], "skip"],
    ["all_failed", ["FAILED", "FAILED"], "run"],
    ["all_failed", ["FAILED", "SUCCESS"], "skip"],
    ["all_failed", ["CANCEL", "FAILED"], "run"],
    ["all_done", ["FAILED", "SKIP", "CANCEL"], "run"],
    ["one_failed", ["SUCCESS", "FAILED"], "run"],
    ["one_failed", ["SUCCESS", "SKIP"], "skip"],
    ["one_success", ["SUCCESS", "FAILED"], "run"],
    ["one_success", ["FAILED", "SKIP"], "skip"],
    ["none_failed", ["SUCCESS", "SKIP"], "run"],
    ["none_failed", ["SUCCESS", "CANCEL"], "skip"],
    ["none_skipped", ["SUCCESS", "FAILED"], "run"],
    ["none_skipped", ["SUCCESS", "SKIP"], "skip"],
  ];
  for (const [rule, needs, expected] of cases) {
    it(`${rule} with needs ${needs.join(", ")} decides ${expected}`, () => {
      assert.equal(decideTriggerRule(rule, needs as never), expected);
    });
  }
});
