import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseYaml } from "../../src/config/yaml.ts";
// parseYaml() falls back to the full parser for texts outside the small reader's layout.
import "../../src/config/yaml_full.ts";

describe("parseYaml()", () => {
  it("keeps on/yes/no/y/n and dates as strings and reads true/false as booleans", () => {
    const { data, problems } = parseYaml(
      "on: yes\nb: no\nc: y\nd: n\ne: true\nf: false\ng: 2024-01-01\nh: 0x1F\ni: null\n",
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(data, {
      on: "yes",
      b: "no",
      c: "y",
      d: "n",
      e: true,
      f: false,
      g: "2024-01-01",
      h: 31,
      i: null,
    });
  });

  it("reports a duplicate key with its name and position", () => {
    const { problems } = parseYaml("a: 1\nb:\n  c: 1\n  c: 2\n");
    assert.deepEqual(problems, [
      { line: 4, column: 3, message: "duplicate key 'c' (map keys must be unique)" },
    ]);
  });

  it("rejects an alias bomb with a clear message instead of expanding it", () => {
    const lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (const [name, prev] of [["b", "a"], ["c", "b"], ["d", "c"], ["e", "d"]]) {
      lines.push(`${name}: &${name} [${Array(8).fill(`*${prev}`).join(", ")}]`);
    }
    const { data, problems } = parseYaml(lines.join("\n"));
    assert.equal(data, undefined);
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /^too many YAML alias expansions \(limit 50\)/);
    assert.deepEqual([problems[0].line, problems[0].column], [2, 8]);
  });

  it("accepts a few ordinary aliases and merge keys", () => {
    const { data, problems } = parseYaml("x: &x {a: 1}\ny:\n  <<: *x\n  b: 2\n");
    assert.deepEqual(problems, []);
    assert.deepEqual(data, { x: { a: 1 }, y: { a: 1, b: 2 } });
  });

  it("reports 10,000 nested lists or 300 nested maps as one problem with a line, not a stack overflow", () => {
    const flow = parseYaml(`a:\n  b: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`);
    assert.equal(flow.data, undefined);
    assert.deepEqual(flow.problems, [{
      line: 2,
      column: 204,
      message: "nesting deeper than 200 levels (lists and mappings inside each other); " +
        "a workflow never needs that many, so flatten the data",
    }]);
    let block = "";
    for (let depth = 0; depth < 300; depth++) block += `${" ".repeat(depth)}k:\n`;
    assert.deepEqual(parseYaml(block).problems.map((p) => [p.line, p.message.slice(0, 30)]), [
      [201, "nesting deeper than 200 levels"],
    ]);
    const dashes = Array.from({ length: 300 }, () => "- ").join("") + "x\n";
    assert.equal(parseYaml(dashes).problems.length, 1);
  });

  it("accepts 150 levels of nesting, and brackets inside quotes, comments and block scalars", () => {
    const deep = parseYaml(`a: ${"[".repeat(150)}1${"]".repeat(150)}\n`);
    assert.deepEqual(deep.problems, []);
    const script = "run: |\n" + "  echo '['\n".repeat(300) +
      `s: "${"[".repeat(300)}" # ${"{".repeat(300)}\n`;
    assert.deepEqual(parseYaml(script).problems, []);
  });

  it("reports a syntax error with its line and column", () => {
    const { problems } = parseYaml("a:\n  - b\n c: [\n");
    assert.ok(problems.length > 0);
    assert.equal(typeof problems[0].line, "number");
    assert.ok(!problems[0].message.includes("\n"));
  });

  it("maps a path to the position of its value or key", () => {
    const parsed = parseYaml(
      "wf:\n  jobs:\n    a:\n      stages:\n        - name: x\n          uses: t/f@v\n",
    );
    assert.deepEqual(parsed.position(["wf", "jobs", "a", "stages", 0, "uses"]), {
      line: 6,
      column: 17,
    });
    assert.deepEqual(parsed.position(["wf", "jobs", "a", "stages", 0, "uses"], { key: true }), {
      line: 6,
      column: 11,
    });
    assert.deepEqual(parsed.position(["wf", "jobs", "a", "stages", 0]), { line: 5, column: 11 });
  });

  it("falls back to the nearest existing ancestor for a missing path", () => {
    const parsed = parseYaml("a:\n  b: 1\n");
    assert.deepEqual(parsed.position(["a", "missing", 3]), { line: 2, column: 3 });
  });

  it("locates a character inside plain, quoted and literal block scalars", () => {
    const parsed = parseYaml('p: abc def\nq: "abc def"\nr: |\n  one\n  two x\n');
    assert.deepEqual(parsed.position(["p"], { offset: 4 }), { line: 1, column: 8 });
    assert.deepEqual(parsed.position(["q"], { offset: 4 }), { line: 2, column: 9 });
    assert.deepEqual(parsed.position(["r"], { offset: 8 }), { line: 5, column: 7 });
  });
});
