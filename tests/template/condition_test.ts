import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TemplateError } from "../../src/errors.ts";
import { evaluateCondition } from "../../src/template/mod.ts";

const scope = {
  params: { name: "foo", mode: "full", count: 3, quote: `it's "x"`, flag: false },
  matrix: { env: "prod" },
};

describe("evaluateCondition()", () => {
  it("returns a YAML boolean as it is", () => {
    assert.equal(evaluateCondition(true, scope), true);
    assert.equal(evaluateCondition(false, scope), false);
  });

  it("evaluates a bare expression", () => {
    assert.equal(evaluateCondition("params.mode == 'full'", scope), true);
    assert.equal(evaluateCondition("params.count > 5 or params.flag", scope), false);
  });

  it("evaluates a single ${{ }} template", () => {
    assert.equal(evaluateCondition("${{ params.mode == 'full' }}", scope), true);
    assert.equal(evaluateCondition("  ${{ params.flag }} ", scope), false);
  });

  it("evaluates the reference style with templates inside quotes", () => {
    assert.equal(evaluateCondition(`"\${{ params.name }}" == "foo"`, scope), true);
    assert.equal(evaluateCondition(`'\${{ matrix.env }}' == 'prod'`, scope), true);
    assert.equal(evaluateCondition(`'\${{ matrix.env }}' == 'dev'`, scope), false);
    assert.equal(evaluateCondition(`\${{ params.count }} >= 3`, scope), true);
    assert.equal(evaluateCondition(`'pre-\${{ params.name }}' == 'pre-foo'`, scope), true);
  });

  it("substitutes values as literals so quotes cannot break or inject", () => {
    assert.equal(evaluateCondition(`"\${{ params.quote }}" == "it's \\"x\\""`, scope), true);
    const hostile = { params: { name: `" or "1" == "1` } };
    assert.equal(evaluateCondition(`"\${{ params.name }}" == "foo"`, hostile), false);
  });

  it("fails on a non-boolean result showing the rendered expression", () => {
    assert.throws(
      () => evaluateCondition(`'\${{ params.name }}'`, scope),
      (error: unknown) => {
        assert.ok(error instanceof TemplateError);
        assert.equal(error.message, `condition must be true or false, got string "foo": 'foo'`);
        return true;
      },
    );
    assert.throws(
      () => evaluateCondition("params.count", scope),
      /condition must be true or false, got number 3: params.count/,
    );
  });

  it("reports syntax errors and missing paths as TemplateErrors", () => {
    assert.throws(() => evaluateCondition("params.mode = 'full'", scope), TemplateError);
    assert.throws(
      () => evaluateCondition("params.mdoe == 'full'", scope),
      /params.mdoe is not set/,
    );
    assert.throws(() => evaluateCondition("", scope), /empty condition/);
  });
});
