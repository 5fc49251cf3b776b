// The small YAML reader against the `yaml` package: every YAML file of conf/, tests/ and the
// docs' examples, and generated texts (valid and broken), must read to the same data, the same
// positions and the same problems through parseYaml() as through the full parser alone.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import fc from "fast-check";
import { parsePlainYaml, parseYaml, type YamlPath } from "../../src/config/yaml.ts";
import { parseYamlFull } from "../../src/config/yaml_full.ts";

const root = new URL("../..", import.meta.url).pathname;

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) yamlFiles(path, out);
    else if (/\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** The ```yaml blocks of the docs and the README. */
function docExamples(): { name: string; text: string }[] {
  const docs = [
    "README.md",
    "ARCHITECTURE.md",
    ...readdirSync(join(root, "docs")).map((f) => `docs/${f}`),
  ].filter((f) => f.endsWith(".md"));
  const out: { name: string; text: string }[] = [];
  for (const doc of docs) {
    const text = readFileSync(join(root, doc), "utf8");
    let n = 0;
    for (const match of text.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
      out.push({ name: `${doc} example ${++n}`, text: match[1] });
    }
  }
  return out;
}

function allPaths(value: unknown, path: (string | number)[] = [], out: YamlPath[] = []) {
  out.push(path);
  if (Array.isArray(value)) value.forEach((item, i) => allPaths(item, [...path, i], out));
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) allPaths(item, [...path, key], out);
  }
  return out;
}

/** Asserts that parseYaml() gives what the full parser gives; returns whether the reader read it. */
function assertSame(text: string, name: string): boolean {
  const full = parseYamlFull(text);
  const plain = parsePlainYaml(text);
  const parsed = parseYaml(text);
  if (plain) {
    assert.deepEqual(full.problems, [], `${name}: the reader read a text with problems`);
  }
  assert.deepEqual(parsed.problems, full.problems, `${name}: problems`);
  assert.deepEqual(parsed.data, full.data, `${name}: data`);
  if (full.problems.length) return plain !== undefined;
  const paths = allPaths(full.data);
  // Paths that do not exist point at their nearest ancestor, in both.
  paths.push(["missing"], [0], [...(paths.at(-1) ?? []), "missing", 3]);
  for (const path of paths) {
    for (const options of [{}, { key: true }, { offset: 1 }, { offset: 4 }, { offset: 40 }]) {
      assert.deepEqual(
        parsed.position(path, options),
        full.position(path, options),
        `${name}: position of ${JSON.stringify(path)} ${JSON.stringify(options)}`,
      );
    }
  }
  return plain !== undefined;
}

/** Runs `fn` with the `yaml` package's warnings (keys that are collections) kept quiet. */
function quietly(fn: () => void): void {
  const emit = process.emitWarning;
  process.emitWarning = () => {};
  try {
    fn();
  } finally {
    process.emitWarning = emit;
  }
}

describe("the plain YAML reader", () => {
  it("reads every YAML file of conf/ and tests/ as the full parser does", () => {
    const files = [...yamlFiles("conf"), ...yamlFiles("tests")];
    assert.ok(files.length > 10);
    const read = files.filter((file) => assertSame(readFileSync(join(root, file), "utf8"), file));
    // The shipped examples keep to the plain layout, so they never need the full parser.
    for (const file of yamlFiles("conf")) assert.ok(read.includes(file), `${file} not read`);
  });

  it("reads every YAML example of the docs as the full parser does", () => {
    const examples = docExamples();
    assert.ok(examples.length > 5);
    let read = 0;
    for (const { name, text } of examples) if (assertSame(text, name)) read++;
    assert.ok(read > examples.length / 2, `only ${read} of ${examples.length} read`);
  });

  it("leaves anchors, tags, merge keys, several documents and errors to the full parser", () => {
    for (
      const text of [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "x: {a: 1}\ny:\n  <<: {b: 2}\n",
        "a: 1\n---\nb: 2\n",
        "a:\n\tb: 1\n",
        "a: 1\na: 2\n",
        "a: [1, 2\n",
        "a: 'open\n",
        "a:\n  b: 1\n c: 2\n",
        "a: plain\n  continued\n",
        "1: one\n",
        "? a\n: b\n",
        "a: 0x1F\n",
        "",
        "# only a comment\n",
      ]
    ) {
      assert.equal(parsePlainYaml(text), undefined, JSON.stringify(text));
      assertSame(text, JSON.stringify(text));
    }
  });

  it("reads the layout of workflow files: block scalars, flow collections, quotes, comments", () => {
    const text = [
      "wf: # a workflow",
      "  type: Workflow",
      "  params: {name: {type: str, default: 'it''s'}, n: [1, 2.5, -3, true, null, ~]}",
      "  jobs:",
      "    a:",
      "      stages:",
      '      - name: "Say \\"hi\\" \\u00e9"',
      "        run: |",
      "          print(1)",
      "",
      "            indented",
      "        desc: >-",
      "          folded",
      "          text",
      "",
      "          para",
      "      -   echo: x:y # not a key",
      "        # a comment",
      "      - - nested",
      "        - 1e3",
      "",
    ].join("\n");
    assert.ok(parsePlainYaml(text));
    assertSame(text, "workflow layout");
    assert.deepEqual(parseYaml(text).data, {
      wf: {
        type: "Workflow",
        params: { name: { type: "str", default: "it's" }, n: [1, 2.5, -3, true, null, null] },
        jobs: {
          a: {
            stages: [
              {
                name: 'Say "hi" é',
                run: "print(1)\n\n  indented\n",
                desc: "folded text\npara",
              },
              { echo: "x:y" },
              ["nested", 1000],
            ],
          },
        },
      },
    });
  });

  // Generated documents: random data written in random block/flow layouts, and the same texts
  // with a character inserted, removed or changed (mostly broken YAML).
  const key = fc.constantFrom(
    "a",
    "name",
    "on",
    "y",
    "no",
    "run-date",
    "a b",
    "x:y",
    "-k",
    "1",
    "null",
    "true",
    "k#x",
    "'q'",
    "é",
  );
  const scalar = fc.oneof(
    fc.constantFrom(
      "hello",
      "${{ params.name }}",
      "a: b",
      "#x",
      "x #y",
      "- x",
      "true",
      "False",
      "~",
      "007",
      "-1.5",
      ".5",
      "1e3",
      "0x1F",
      ".inf",
      "yes",
      "",
      " lead",
      "trail ",
      "it's",
      'say "x"',
      "a\\b",
      "[x]",
      "{x}",
      "x, y",
      "*alias",
      "&anchor",
      "!tag",
      "@at",
      "%pct",
      "line\nbreak",
      "two\n\nlines\n",
    ),
    fc.integer({ min: -1000, max: 1000 }),
    fc.boolean(),
    fc.constant(null),
    fc.string({ maxLength: 8 }),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalar,
      fc.array(tie("node"), { maxLength: 4 }),
      fc.dictionary(key, tie("node"), { maxKeys: 4 }),
    ),
  })).node;
  const layout = fc.record({
    indent: fc.integer({ min: 1, max: 4 }),
    flowMaps: fc.boolean(),
    flowLists: fc.boolean(),
    sameIndentLists: fc.boolean(),
    quote: fc.constantFrom("auto", "single", "double"),
    blockScalars: fc.constantFrom("|", "|-", "|+", ">", ">-"),
    comments: fc.boolean(),
    blank: fc.boolean(),
  });
  type Layout = typeof layout extends fc.Arbitrary<infer T> ? T : never;

  function renderScalar(v: unknown, style: Layout): string {
    if (typeof v !== "string") return String(v);
    if (style.quote === "double" || /\n/.test(v)) return JSON.stringify(v);
    if (style.quote === "single") return `'${v.replaceAll("'", "''")}'`;
    return v; // plain, whatever it reads as (numbers, bools, broken text included)
  }
  function renderFlow(v: unknown, style: Layout): string {
    if (Array.isArray(v)) return `[${v.map((x) => renderFlow(x, style)).join(", ")}]`;
    if (v !== null && typeof v === "object") {
      return `{${Object.entries(v).map(([k, x]) => `${k}: ${renderFlow(x, style)}`).join(", ")}}`;
    }
    return renderScalar(v, style);
  }
  function render(v: unknown, style: Layout, indent: number, lines: string[], lead: string) {
    const pad = " ".repeat(indent);
    const comment = style.comments ? " # note" : "";
    if (Array.isArray(v)) {
      if (style.flowLists || v.length === 0) return void lines.push(lead + renderFlow(v, style));
      if (lead) lines.push(lead.trimEnd() + comment);
      const at = style.sameIndentLists && lead.endsWith(": ") ? indent - style.indent : indent;
      for (const item of v) render(item, style, at + 2, lines, `${" ".repeat(at)}- `);
      return;
    }
    if (v !== null && typeof v === "object") {
      const entries = Object.entries(v);
      if (style.flowMaps || entries.length === 0) {
        return void lines.push(lead + renderFlow(v, style));
      }
      if (lead) lines.push(lead.trimEnd() + comment);
      for (const [k, x] of entries) {
        render(x, style, indent + style.indent, lines, `${pad}${k}: `);
        if (style.blank) lines.push("");
      }
      return;
    }
    if (typeof v === "string" && v.includes("\n")) {
      lines.push(`${lead}${style.blockScalars}`);
      for (const line of v.split("\n")) lines.push(line ? pad + line : "");
      return;
    }
    lines.push(lead + renderScalar(v, style) + comment);
  }
  const documents = fc.tuple(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }), layout).map(
    ([data, style]) => {
      const lines: string[] = [];
      render(data, style, 0, lines, "");
      return lines.join("\n") + "\n";
    },
  );

  it("reads generated documents as the full parser does", () => {
    let read = 0;
    quietly(() =>
      fc.assert(
        fc.property(documents, (text) => {
          if (assertSame(text, JSON.stringify(text))) read++;
        }),
        { numRuns: 600 },
      )
    );
    assert.ok(read > 100, `the reader read only ${read} of 600 documents`);
  });

  it("reads broken and odd texts as the full parser does", () => {
    const edit = fc.tuple(
      documents,
      fc.nat(),
      fc.constantFrom(" ", ":", "-", "#", "|", ">", "[", "]", "{", "}", ",", "'", '"', "\n", "&"),
      fc.constantFrom("insert", "delete", "replace"),
    ).map(([text, at, char, how]) => {
      const i = at % (text.length + 1);
      if (how === "insert") return text.slice(0, i) + char + text.slice(i);
      if (how === "delete") return text.slice(0, i) + text.slice(i + 1);
      return text.slice(0, i) + char + text.slice(i + 1);
    });
    quietly(() =>
      fc.assert(fc.property(edit, (text) => void assertSame(text, JSON.stringify(text))), {
        numRuns: 1500,
      })
    );
  });
});
