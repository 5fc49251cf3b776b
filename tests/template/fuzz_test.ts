import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { WorkflowBaseError } from "../../src/errors.ts";
import {
  analyzeCondition,
  analyzeTemplate,
  evaluateCondition,
  render,
  renderString,
} from "../../src/template/mod.ts";

const RUNS = 300;

/** Pieces that make random text look like templates, including hostile paths. */
const fragment = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    "${{",
    "}}",
    "${{ ",
    " }}",
    "$$",
    "${",
    "}",
    "${HOME}",
    "${X:d}",
    "params.name",
    "params.__proto__",
    "constructor.constructor",
    "params.constructor.constructor",
    "globalThis",
    "__proto__",
    "prototype",
    "this",
    "| upper",
    "| fmt('%Y')",
    "| getitem('a')",
    "| nope",
    "(",
    ")",
    "[0]",
    "['__proto__']",
    "?",
    ".",
    "'",
    '"',
    "==",
    " and ",
    " not in ",
    "!",
    "len(",
    "fromJSON('{\"__proto__\":1}')",
    "format('{0}', ",
    ",",
    "-1",
    "1e999",
  ),
);

const templateText = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(""));

const scopeValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.date({ noInvalidDate: false }),
  fc.constant(undefined),
);
const scope = fc.record({
  params: fc.dictionary(fc.constantFrom("name", "x", "a", "__proto__", "constructor"), scopeValue),
  stages: fc.dictionary(fc.string({ maxLength: 5 }), scopeValue),
});

function onlyOurErrors(fn: () => unknown): void {
  try {
    const result = fn();
    assert.notEqual(typeof result, "function");
  } catch (error) {
    assert.ok(
      error instanceof WorkflowBaseError,
      `escaped ${String(error)} (${(error as Error)?.constructor?.name})`,
    );
  }
}

const env = (name: string) => (name === "HOME" ? "/home" : undefined);

describe("template fuzzing", () => {
  it("render() and renderString() only ever throw our own errors", () => {
    fc.assert(
      fc.property(templateText, scope, (text, values) => {
        onlyOurErrors(() => render(text, values));
        onlyOurErrors(() => render(["${{ " + text + " }}", { k: text }], values, { env }));
        onlyOurErrors(() => renderString(text, values, { timezone: "Asia/Bangkok" }));
      }),
      { numRuns: RUNS },
    );
  });

  it("evaluateCondition() only ever throws our own errors", () => {
    fc.assert(
      fc.property(templateText, scope, (text, values) => {
        onlyOurErrors(() => evaluateCondition(text, values));
      }),
      { numRuns: RUNS },
    );
  });

  it("analysis never throws", () => {
    fc.assert(
      fc.property(templateText, (text) => {
        analyzeTemplate(text);
        analyzeCondition(text);
      }),
      { numRuns: RUNS },
    );
  });

  it("leaves prototypes and globals out of reach", () => {
    const hostile = [
      "${{ constructor.constructor }}",
      "${{ params.constructor.constructor('return 1') }}",
      "${{ params.__proto__.polluted }}",
      "${{ params['__proto__'] }}",
      "${{ globalThis }}",
      "${{ params.toString }}",
    ];
    for (const text of hostile) {
      onlyOurErrors(() => render(text, { params: { name: "x" } }));
    }
    render('${{ fromJSON(\'{"__proto__": {"polluted": 1}}\') | dict }}', {});
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
