import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatIssue } from "../../src/errors.ts";
import { parseParams } from "../../src/models/params.ts";

describe("parseParams()", () => {
  it("reads the shorthand and the full form in declaration order", () => {
    const { params, issues } = parseParams({
      name: "str",
      mode: { type: "choice", options: ["fast", "slow"], desc: "speed" },
      limit: { type: "int", default: 5, required: true },
      token: "secret",
    }, ["params"]);
    assert.deepEqual(issues, []);
    assert.deepEqual(Object.keys(params), ["name", "mode", "limit", "token"]);
    assert.deepEqual(params.name, { name: "name", type: "str", required: false });
    assert.deepEqual(params.mode, {
      name: "mode",
      type: "choice",
      desc: "speed",
      options: ["fast", "slow"],
      required: true,
    });
    assert.deepEqual(params.limit, { name: "limit", type: "int", default: 5, required: true });
  });

  it("makes a choice with a default optional and checks the default is an option", () => {
    const ok = parseParams({ m: { type: "choice", options: [1, 2], default: 2 } }, ["params"]);
    assert.equal(ok.params.m.required, false);
    const bad = parseParams({ m: { type: "choice", options: [1, 2], default: 3 } }, ["params"]);
    assert.deepEqual(bad.issues.map(formatIssue), [
      "params.m.default: default 3 is not one of the options: 1, 2",
    ]);
  });

  it("lists the valid types for an unknown type", () => {
    const { issues } = parseParams({ a: { type: "integer" }, b: 3 }, ["params"]);
    assert.deepEqual(issues.map(formatIssue), [
      "params.a.type: unknown param type 'integer'; valid types: str, int, float, bool, datetime, date, choice, map, array, secret; did you mean 'int'?",
      "params.b: expected a type name or a mapping with 'type:', got a number (3)",
    ]);
  });

  it("rejects options on a non-choice param and a missing type", () => {
    const { issues } = parseParams({ a: { type: "str", options: ["x"] }, b: { desc: "x" } }, [
      "params",
    ]);
    assert.deepEqual(issues.map(formatIssue), [
      "params.a.options: 'options' only applies to choice params, not 'str'",
      "params.b: 'type' is required; valid types: str, int, float, bool, datetime, date, choice, map, array, secret",
    ]);
  });
});
