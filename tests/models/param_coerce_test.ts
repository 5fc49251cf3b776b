import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ParamError } from "../../src/errors.ts";
import { coerceParams } from "../../src/models/param_coerce.ts";
import type { ParamSpec, ParamType } from "../../src/models/types.ts";

const NOW = Date.UTC(2024, 5, 30, 20, 0, 0);

function spec(type: ParamType, extra: Partial<ParamSpec> = {}): ParamSpec {
  return { name: "p", type, required: false, ...extra };
}

function coerceOne(
  type: ParamType,
  value: unknown,
  extra: Partial<ParamSpec> = {},
  timezone?: string,
) {
  return coerceParams({ p: spec(type, extra) }, { p: value }, { now: NOW, timezone }).params.p;
}

function failsWith(fn: () => unknown, text: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ParamError, `expected ParamError, got ${error}`);
    assert.ok(
      error.message.includes(text),
      `message ${JSON.stringify(error.message)} lacks ${text}`,
    );
    return true;
  });
}

describe("coerceParams() per type", () => {
  it("str converts numbers and booleans, and objects to JSON", () => {
    assert.equal(coerceOne("str", "x"), "x");
    assert.equal(coerceOne("str", 1), "1");
    assert.equal(coerceOne("str", true), "true");
    assert.equal(coerceOne("str", { a: 1 }), '{"a":1}');
  });

  it("int keeps integers, reads digit strings and rejects the rest", () => {
    assert.equal(coerceOne("int", 7), 7);
    assert.equal(coerceOne("int", "1"), 1);
    assert.equal(coerceOne("int", " -12 "), -12);
    failsWith(() => coerceOne("int", "abc"), `param 'p' expects int, got "abc"`);
    failsWith(() => coerceOne("int", 1.5), "param 'p' expects int, got 1.5");
    failsWith(() => coerceOne("int", "1.0"), `param 'p' expects int, got "1.0"`);
  });

  it("int and float name an overflowing number (1e400 from JSON) instead of saying null", () => {
    const overflow = JSON.parse('{"n": 1e400}').n;
    failsWith(
      () => coerceOne("int", overflow),
      "param 'p' expects int, got Infinity: too large to be a finite integer (e.g. 1e400)",
    );
    failsWith(
      () => coerceOne("float", -overflow),
      "param 'p' expects float, got -Infinity: too large to be a finite number (e.g. 1e400)",
    );
    failsWith(
      () => coerceOne("float", "1e400"),
      `param 'p' expects float, got "1e400": too large to be a finite number (e.g. 1e400)`,
    );
    failsWith(
      () => coerceOne("int", "123456789012345678901"),
      `param 'p' expects int, got "123456789012345678901": beyond ±9007199254740991, ` +
        "where integers are no longer exact",
    );
    failsWith(() => coerceOne("float", NaN), "param 'p' expects float, got NaN: not a number");
  });

  it("refuses a map, array or undeclared value nested deeper than 200 levels, naming the param", () => {
    const nested = (depth: number) => {
      let value: unknown = 1;
      for (let i = 0; i < depth; i++) value = [value];
      return value;
    };
    assert.deepEqual(coerceOne("array", nested(200)), nested(200));
    failsWith(
      () => coerceOne("array", nested(100_000)),
      "param 'p' nests deeper than 200 levels (at p[0][0][0][0]…[0][0]); pass flatter data",
    );
    assert.throws(
      () => coerceParams({}, { extra: { a: nested(300) } }, { now: NOW }),
      /param 'extra' nests deeper than 200 levels \(at extra\.a\[0\]/,
    );
  });

  it("float reads numbers and numeric strings", () => {
    assert.equal(coerceOne("float", 1.25), 1.25);
    assert.equal(coerceOne("float", "2.5"), 2.5);
    failsWith(() => coerceOne("float", "x"), "expects float");
  });

  it("bool reads true/false/yes/no/1/0 in any case", () => {
    assert.equal(coerceOne("bool", true), true);
    assert.equal(coerceOne("bool", "YES"), true);
    assert.equal(coerceOne("bool", "no"), false);
    assert.equal(coerceOne("bool", "1"), true);
    assert.equal(coerceOne("bool", "False"), false);
    assert.equal(coerceOne("bool", 0), false);
    failsWith(() => coerceOne("bool", "maybe"), `param 'p' expects bool`);
  });

  it("datetime reads ISO strings (naive ones in the time zone) and keeps dates", () => {
    assert.deepEqual(coerceOne("datetime", "2024-01-01"), new Date(Date.UTC(2024, 0, 1)));
    assert.deepEqual(
      coerceOne("datetime", "2024-01-01T10:00:00", {}, "Asia/Bangkok"),
      new Date(Date.UTC(2024, 0, 1, 3)),
    );
    assert.deepEqual(
      coerceOne("datetime", "2024-01-01T10:00:00+01:00", {}, "Asia/Bangkok"),
      new Date(Date.UTC(2024, 0, 1, 9)),
    );
    const date = new Date(Date.UTC(2023, 4, 6));
    assert.deepEqual(coerceOne("datetime", date), date);
    failsWith(() => coerceOne("datetime", "yesterday"), `param 'p' expects datetime`);
    failsWith(() => coerceOne("datetime", 20240101), "expects datetime");
  });

  it("date reads ISO dates and returns YYYY-MM-DD", () => {
    assert.equal(coerceOne("date", "2024-02-29"), "2024-02-29");
    assert.equal(coerceOne("date", "2024-02-29T23:00:00"), "2024-02-29");
    assert.equal(
      coerceOne("date", new Date(Date.UTC(2024, 0, 1, 20)), {}, "Asia/Bangkok"),
      "2024-01-02",
    );
    failsWith(() => coerceOne("date", "2024"), `param 'p' expects date (YYYY-MM-DD), got "2024"`);
    failsWith(() => coerceOne("date", 2024), "expects date");
    failsWith(() => coerceOne("date", "2023-02-29"), "expects date");
  });

  it("choice accepts listed options, matching numbers given as text", () => {
    assert.equal(coerceOne("choice", "slow", { options: ["fast", "slow"] }), "slow");
    assert.equal(coerceOne("choice", "2", { options: [1, 2] }), 2);
    assert.equal(coerceOne("choice", null, { options: ["fast", "slow"] }), "fast");
    failsWith(
      () => coerceOne("choice", "medium", { options: ["fast", "slow"] }),
      `param 'p' expects choice (one of "fast", "slow"), got "medium"`,
    );
  });

  it("map accepts objects and JSON object strings", () => {
    assert.deepEqual(coerceOne("map", { a: 1 }), { a: 1 });
    assert.deepEqual(coerceOne("map", '{"foo": "bar"}'), { foo: "bar" });
    failsWith(() => coerceOne("map", "[1]"), "expects map");
    failsWith(() => coerceOne("map", [1]), "expects map");
  });

  it("array accepts lists and JSON array strings", () => {
    assert.deepEqual(coerceOne("array", [1, 2]), [1, 2]);
    assert.deepEqual(coerceOne("array", "[1, 2, 3]"), [1, 2, 3]);
    failsWith(
      () => coerceOne("array", "foo"),
      `param 'p' expects array (a list or a JSON array string), got "foo"`,
    );
    failsWith(() => coerceOne("array", '{"a":1}'), "expects array");
  });

  it("secret keeps the string, lists it for masking and never shows it in errors", () => {
    const result = coerceParams({ token: { ...spec("secret"), name: "token" } }, {
      token: "s3cr3t",
    }, { now: NOW });
    assert.equal(result.params.token, "s3cr3t");
    assert.deepEqual(result.secrets, ["s3cr3t"]);
    assert.throws(
      () =>
        coerceParams({ token: { ...spec("secret"), name: "token" } }, { token: { v: "s3cr3t" } }, {
          now: NOW,
        }),
      (error: unknown) => error instanceof ParamError && !error.message.includes("s3cr3t"),
    );
  });
});

describe("coerceParams() defaults and required params", () => {
  const specs: Record<string, ParamSpec> = {
    name: { name: "name", type: "str", required: true },
    count: { name: "count", type: "int", required: false, default: "5" },
    when: { name: "when", type: "datetime", required: false },
    day: { name: "day", type: "date", required: false },
    opts: { name: "opts", type: "map", required: false },
    list: { name: "list", type: "array", required: false },
    note: { name: "note", type: "str", required: false },
  };

  it("applies declared defaults (coerced) and type defaults for params not passed", () => {
    const { params } = coerceParams(specs, { name: "x" }, { now: NOW, timezone: "Asia/Bangkok" });
    assert.deepEqual(params, {
      name: "x",
      count: 5,
      when: new Date(NOW),
      day: "2024-07-01",
      opts: {},
      list: [],
      note: null,
    });
  });

  it("treats null like a param that was not passed", () => {
    assert.equal(coerceParams(specs, { name: "x", count: null }, { now: NOW }).params.count, 5);
  });

  it("keeps undeclared inputs as they are", () => {
    const { params } = coerceParams(specs, { name: "x", extra: { k: 1 } }, { now: NOW });
    assert.deepEqual(params.extra, { k: 1 });
  });

  it("lets a declared default satisfy a required param", () => {
    const required = { n: { name: "n", type: "int" as const, required: true, default: 2 } };
    assert.equal(coerceParams(required, {}, { now: NOW }).params.n, 2);
  });

  it("names every missing required param and every bad value in one error", () => {
    const strict: Record<string, ParamSpec> = {
      a: { name: "a", type: "str", required: true },
      b: { name: "b", type: "int", required: true },
      c: { name: "c", type: "int", required: false },
      d: { name: "d", type: "bool", required: false },
    };
    assert.throws(
      () => coerceParams(strict, { c: "abc", d: "perhaps" }, { now: NOW }),
      (error: unknown) => {
        assert.ok(error instanceof ParamError);
        assert.equal(
          error.message,
          [
            "missing required params: a, b",
            `param 'c' expects int, got "abc"`,
            `param 'd' expects bool (true/false, yes/no, 1/0), got "perhaps"`,
          ].join("\n"),
        );
        return true;
      },
    );
  });

  it("sets the param name on the error when exactly one param is wrong", () => {
    assert.throws(
      () =>
        coerceParams({ count: { name: "count", type: "int", required: false } }, { count: "abc" }, {
          now: NOW,
        }),
      (error: unknown) =>
        error instanceof ParamError && error.param === "count" &&
        error.message === `param 'count' expects int, got "abc"`,
    );
  });

  it("does not mutate its inputs", () => {
    const input = { name: "x", list: [1] };
    const copy = structuredClone(input);
    const result = coerceParams(specs, input, { now: NOW });
    assert.deepEqual(input, copy);
    assert.notEqual(result.params.list, input.list);
  });
});
