import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  analyzeCondition,
  analyzeTemplate,
  findUnquotedTemplates,
} from "../../src/template/mod.ts";

describe("analyzeTemplate()", () => {
  it("lists the referenced paths as segment arrays", () => {
    const result = analyzeTemplate(
      "${{ params.run-date | fmt('%Y') }} ${{ stages.first.outputs.x }} ${{ items[matrix.i].id }}",
    );
    assert.deepEqual(result.issues, []);
    assert.deepEqual(result.references, [
      ["params", "run-date"],
      ["stages", "first", "outputs", "x"],
      ["items"],
      ["matrix", "i"],
    ]);
  });

  it("cuts a path before its first optional segment", () => {
    assert.deepEqual(analyzeTemplate("${{ stages.a.errors?.message }}").references, [[
      "stages",
      "a",
    ]]);
    assert.deepEqual(analyzeTemplate("${{ stages?.x }}").references, []);
  });

  it("reports syntax errors, unknown functions and unknown filters with columns", () => {
    const result = analyzeTemplate(
      "a ${{ params.x | nope }} ${{ boom(1) }} ${{ params. }} ${{ params.ok }}",
    );
    assert.deepEqual(
      result.issues.map((issue) => [issue.message.split(" at ")[0].split(";")[0], issue.column]),
      [["unknown filter 'nope'", 17], ["unknown function 'boom'", 29], [
        "expected a name after '.'",
        51,
      ]],
    );
    assert.deepEqual(result.references, [["params", "x"], ["params", "ok"]]);
  });

  it("accepts extra filter names", () => {
    assert.deepEqual(analyzeTemplate("${{ params.x | slug }}", ["slug"]).issues, []);
  });

  it("finds nothing in plain text", () => {
    assert.deepEqual(analyzeTemplate("echo $$HOME ${HOME}"), { issues: [], references: [] });
  });

  it("answers the same for a text seen before, whatever the earlier caller did with its answer", () => {
    const text = "run ${{ params.x | slug }} ${{ boom( }} ${{ params.y }}";
    const first = analyzeTemplate(text);
    const expected = structuredClone(first);
    (first.issues[1] as { message: string }).message = "changed";
    first.issues.push({ message: "added", column: 0 });
    first.references.length = 0;
    assert.deepEqual(analyzeTemplate(text), expected);
    // The filters of each call count, not those of the first call of that text.
    assert.deepEqual(
      analyzeTemplate(text, ["slug"]).issues.map((issue) => issue.column),
      [31],
    );
    assert.deepEqual(analyzeTemplate(text).issues.map((issue) => issue.column), [19, 31]);
    assert.deepEqual(
      findUnquotedTemplates(text, () => false).map((found) => found.text),
      ["${{ params.x | slug }}", "${{ params.y }}"],
    );
    // A long script (parsed on each call, not kept) gives the same answers too.
    const script = `${"echo ok\n".repeat(400)}${text}`;
    const offset = script.length - text.length;
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(
        analyzeTemplate(script).issues.map((issue) => issue.column - offset),
        [19, 31],
      );
    }
  });
});

describe("analyzeCondition()", () => {
  it("analyzes the three condition forms", () => {
    assert.deepEqual(analyzeCondition("params.mode == 'full'").references, [["params", "mode"]]);
    assert.deepEqual(analyzeCondition("${{ params.a }}").references, [["params", "a"]]);
    assert.deepEqual(
      analyzeCondition(`"\${{ params.name }}" == "\${{ matrix.env }}"`).references,
      [["params", "name"], ["matrix", "env"]],
    );
    assert.deepEqual(analyzeCondition(true), { issues: [], references: [] });
  });

  it("reports syntax errors", () => {
    const result = analyzeCondition("params.mode = 'x'");
    assert.equal(result.issues.length, 1);
    assert.equal(result.issues[0].column, 12);
  });
});

describe("reference template forms", () => {
  it("parses every template form the reference's YAML uses", () => {
    const forms = [
      "${{params.x}}",
      "${{ params.run-date | fmt('%Y%m%d') }}",
      "${{ params.run-date | fmt(fmt='%Y-%m-%d %H:%M:%S') }}",
      "${{ stages.first-stage.outputs.x }}",
      "${{ jobs.a.strategies.123.stages.x.outputs.y }}",
      "${{ jobs.first.stages.compute.outputs.size }}-${{ matrix.env }}",
      "${{ stages?.message }}",
      "${{ stages.a.errors?.message }}",
      "${{ params.name | title }}",
      "${{ params.value | abs | str }}",
      "${{ params.value | rstr }}",
      "${{ params.x | coalesce('default') }}",
      "${{ params.x | coalesce(None) }}",
      "${{ params.m | getitem('k', default=None) }}",
      "${{ params.l | getindex(0) }}",
      "${{ params.m | keys | list }}",
      "${{ item }}",
      "Hello ${{ params.name | title }}",
      "date=${{ params.run-date }} $${NOT_EXPANDED}",
    ];
    for (const form of forms) {
      assert.deepEqual(analyzeTemplate(form).issues, [], form);
    }
    assert.deepEqual(analyzeCondition("'${{ matrix.env }}' == 'prod'").issues, []);
    assert.deepEqual(analyzeCondition(`"\${{ params.name }}" == "foo"`).issues, []);
  });
});

describe("findUnquotedTemplates()", () => {
  const strParams = (path: readonly string[]) => path[0] === "params" && path[1] === "n";

  it("finds a value pasted into shell code with its offset and the path it reads", () => {
    const found = findUnquotedTemplates('echo "${{ params.name }}"', strParams);
    assert.deepEqual(found, [{
      column: 6,
      text: "${{ params.name }}",
      expression: "params.name",
      reference: ["params", "name"],
    }]);
  });

  it("accepts | shell_quote, numbers, booleans, len() and paths the caller calls safe", () => {
    const safe = [
      "echo ${{ params.name | shell_quote }}",
      "echo ${{ params.names | shell_quote }}",
      "echo ${{ params.n }} ${{ params.n | str }} ${{ len(params.tables) }}",
      "echo ${{ params.name | int }} ${{ params.name == 'x' }} ${{ 3 }}",
      "echo $${{ literal }} ${NOT_A_TEMPLATE}",
    ];
    for (const source of safe) {
      assert.deepEqual(findUnquotedTemplates(source, strParams), [], source);
    }
  });

  it("flags filters that keep text, custom filters and other paths", () => {
    const found = findUnquotedTemplates(
      "${{ params.name | upper }} ${{ params.n | slug }} ${{ stages.a.outputs.x }} " +
        "${{ format('{0}', params.name) }}",
      strParams,
    );
    assert.deepEqual(found.map((f) => f.expression), [
      "params.name | upper",
      "params.n | slug",
      "stages.a.outputs.x",
      "format('{0}', params.name)",
    ]);
  });
});
