import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TemplateError } from "../../src/errors.ts";
import { render } from "../../src/template/mod.ts";
import { throwsTemplate } from "./_helpers.ts";

const scope = {
  params: { name: "foo", "run-date": "2024-01-01", count: 3, list: [1, 2, 3], tags: ["a", "b"] },
  stages: { "first-stage": { outputs: { x: "X" } }, a: { outputs: {} } },
  jobs: { a: { strategies: { "0123456789": { stages: { x: { outputs: { y: 42 } } } } } } },
  items: [{ id: "i0" }, { id: "i1" }],
  matrix: { i: 1, key: "name" },
  item: "one",
};

const value = (expression: string) => render(`\${{ ${expression} }}`, scope);

describe("expression literals", () => {
  it("reads strings in single and double quotes with escapes", () => {
    assert.equal(value("'it\\'s'"), "it's");
    assert.equal(value('"say \\"hi\\""'), 'say "hi"');
    assert.equal(value("'a}}b'"), "a}}b");
  });

  it("reads numbers, booleans and null in JS and Python spelling", () => {
    assert.equal(value("42"), 42);
    assert.equal(value("-1.5"), -1.5);
    assert.equal(value("1e3"), 1000);
    assert.equal(value("true"), true);
    assert.equal(value("False"), false);
    assert.equal(value("None"), null);
    assert.equal(value("null"), null);
  });
});

describe("expression paths", () => {
  it("reads segments with hyphens and digits", () => {
    assert.equal(value("params.run-date"), "2024-01-01");
    assert.equal(value("stages.first-stage.outputs.x"), "X");
    assert.equal(value("jobs.a.strategies.0123456789.stages.x.outputs.y"), 42);
  });

  it("indexes with [number], ['key'] and computed keys", () => {
    assert.equal(value("items[1].id"), "i1");
    assert.equal(value("params['run-date']"), "2024-01-01");
    assert.equal(value("items[matrix.i]['id']"), "i1");
    assert.equal(value("params[matrix.key]"), "foo");
    assert.equal(value("items.0.id"), "i0");
  });

  it("returns null for a missing optional segment without reading further", () => {
    assert.equal(render("${{ stages?.message }}", {}), null);
    assert.equal(render("${{ nothing?.message }}", scope), null);
    assert.equal(value("stages.a.errors?.message"), null);
    assert.equal(value("params.missing?"), null);
    assert.equal(value("params.name?"), "foo");
  });

  it("names the missing path and what its parent has", () => {
    throwsTemplate(
      () => render("${{ params.nmae }}", { params: { name: "x", "run-date": "d" } }),
      "params.nmae is not set; params has: name, run-date",
    );
    throwsTemplate(
      () => value("stages.frist.outputs.x"),
      "stages.frist is missing; stages has: first-stage, a",
    );
    throwsTemplate(() => value("nope"), "nope is not set; the context has: params, stages");
    throwsTemplate(() => value("items[5]"), "items has 2 items");
    throwsTemplate(() => value("params.name.first"), "params.name is a string, not an object");
  });

  it("never resolves through the prototype chain", () => {
    throwsTemplate(() => value("params.constructor"), "params.constructor is not set");
    throwsTemplate(() => value("params.__proto__"), "params.__proto__ is not set");
    throwsTemplate(() => value("params.list.constructor.prototype"), "is not set");
    throwsTemplate(() => value("constructor.constructor"), "constructor.constructor is not set");
    throwsTemplate(() => value("params.toString"), "is not set");
    throwsTemplate(() => value("globalThis"), "globalThis is not set");
  });

  it("reads keys named like prototype members when the data owns them", () => {
    const own = JSON.parse('{"data":{"constructor":"mine","__proto__":"also"}}');
    assert.equal(render("${{ data.constructor }}", own), "mine");
    assert.equal(render("${{ data.__proto__ }}", own), "also");
  });
});

describe("expression operators", () => {
  it("compares with == != < <= > >=", () => {
    assert.equal(value("params.count == 3"), true);
    assert.equal(value("params.count != 3"), false);
    assert.equal(value("params.count < 4"), true);
    assert.equal(value("params.count <= 3"), true);
    assert.equal(value("params.count > 3"), false);
    assert.equal(value("params.count >= 4"), false);
    assert.equal(value("'b' > 'a'"), true);
    assert.equal(value("params.list == params.list"), true);
  });

  it("does not treat 1 and '1' as equal", () => {
    assert.equal(value("1 == '1'"), false);
  });

  it("fails comparing values of different types with an ordering operator", () => {
    throwsTemplate(
      () => value("params.count < 'x'"),
      "cannot compare number 3 with string \"x\" using '<'",
    );
  });

  it("combines with && || ! and or not, short-circuiting", () => {
    assert.equal(value("true && false"), false);
    assert.equal(value("true and true"), true);
    assert.equal(value("false || true"), true);
    assert.equal(value("false or false"), false);
    assert.equal(value("!false"), true);
    assert.equal(value("not true"), false);
    assert.equal(value("not params.count == 3"), false);
    assert.equal(value("false && params.missing"), false);
    assert.equal(value("params.missing? || 'fallback'"), "fallback");
  });

  it("tests membership with in and not in", () => {
    assert.equal(value("2 in params.list"), true);
    assert.equal(value("5 not in params.list"), true);
    assert.equal(value("'oo' in params.name"), true);
    assert.equal(value("'name' in params"), true);
    assert.equal(value("'zzz' not in params"), true);
  });

  it("groups with parentheses", () => {
    assert.equal(value("(true || false) && false"), false);
    assert.equal(value("true || (false && false)"), true);
  });
});

describe("expression functions", () => {
  it("evaluates contains, startsWith, endsWith", () => {
    assert.equal(value("contains(params.tags, 'a')"), true);
    assert.equal(value("contains(params.name, 'x')"), false);
    assert.equal(value("startsWith(params.name, 'fo')"), true);
    assert.equal(value("endsWith(params.name, 'o')"), true);
  });

  it("evaluates format, join, toJSON, fromJSON and len", () => {
    assert.equal(value("format('{0}-{1} {{x}}', params.name, params.count)"), "foo-3 {x}");
    assert.equal(value("join(params.tags, '+')"), "a+b");
    assert.equal(value("join(params.tags)"), "a,b");
    assert.equal(value("toJSON(params.tags)"), '["a","b"]');
    assert.deepEqual(value(`fromJSON('{"a": [1]}')`), { a: [1] });
    assert.equal(value("len(params.list)"), 3);
    assert.equal(value("len('héllo')"), 5);
    assert.equal(value("len(params)"), 5);
  });

  it("rejects unknown functions and wrong argument counts at compile time", () => {
    throwsTemplate(() => value("eval('1')"), "unknown function 'eval'");
    throwsTemplate(() => value("len(1, 2)"), "len() takes 1 argument(s), got 2");
  });
});

describe("expression syntax errors", () => {
  it("shows the column and the template with a caret", () => {
    assert.throws(
      () => render("${{ params.name == }}", scope),
      (error: unknown) => {
        assert.ok(error instanceof TemplateError);
        assert.equal(
          error.message,
          "unexpected '}}' at column 20:\n  ${{ params.name == }}\n                     ^",
        );
        assert.equal(error.column, 19);
        assert.equal(error.template, "${{ params.name == }}");
        return true;
      },
    );
  });

  it("reports unterminated strings, unclosed templates and stray characters", () => {
    throwsTemplate(() => render("${{ 'abc }}", scope), "unterminated string");
    throwsTemplate(
      () => render("x ${{ params.name ", scope),
      "expected '}}' to close the template",
    );
    throwsTemplate(() => render("${{ params.name & 1 }}", scope), "did you mean '&&'");
    throwsTemplate(() => render("${{ }}", scope), "unexpected '}}'");
  });

  it("reports the line for multi-line sources", () => {
    throwsTemplate(() => render("echo one\necho ${{ params. }}", scope), "at line 2, column 17");
  });

  it("rejects absurdly deep nesting with a TemplateError", () => {
    throwsTemplate(() => value("(".repeat(500) + "1" + ")".repeat(500)), "nested too deeply");
  });
});
