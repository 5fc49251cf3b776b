import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { scanTemplates } from "../../src/config/scan.ts";
import { parseYaml } from "../../src/config/yaml.ts";
// parseYaml() falls back to the full parser for texts outside the small reader's layout.
import "../../src/config/yaml_full.ts";

const TYPES = ["Workflow", "Schedule", "On", "YearOn"];
const root = fileURLToPath(new URL("../../", import.meta.url));

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) yamlFiles(full, out);
    else if (/\.ya?ml$/.test(entry)) out.push(full);
  }
  return out;
}

/** The templates the full YAML parse finds: name, type, line and column of each. */
function byParse(text: string): [string, unknown, number, number][] {
  const parsed = parseYaml(text);
  const data = parsed.data as Record<string, Record<string, unknown>> | undefined;
  if (!data || typeof data !== "object") return [];
  if (typeof data.name === "string" && typeof data.type === "string") {
    return [[data.name, data.type, 1, 1]];
  }
  return Object.entries(data).filter(([, value]) =>
    value !== null && typeof value === "object" && !Array.isArray(value) &&
    value.type !== undefined
  ).map(([name, value]) => {
    const at = parsed.position([name], { key: true });
    return [name, value.type, at.line, at.column];
  });
}

function byScan(text: string): [string, unknown, number, number][] | undefined {
  return scanTemplates(text, TYPES)?.map((t) => [t.name, t.type, t.line, t.column]);
}

describe("scanTemplates()", () => {
  it("finds the templates a full parse finds, at the same line, in every example and fixture", () => {
    const files = [...yamlFiles(join(root, "conf")), ...yamlFiles(join(root, "tests/fixtures"))];
    let scanned = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const found = byScan(text);
      if (found === undefined) continue;
      scanned++;
      // Broken YAML is parsed in full before its templates are built, so only valid files
      // must agree exactly.
      if (parseYaml(text).problems.length === 0) assert.deepEqual(found, byParse(text), file);
    }
    assert.ok(scanned >= files.length - 4, `only ${scanned} of ${files.length} files scanned`);
  });

  it("reads comments, CRLF, a document marker, anchors, lists at the map's indent and quoted types", () => {
    const texts = [
      "# a comment\n---\nwf-a:   # trailing\n  type: Workflow # why\n  jobs: {}\n",
      "wf-a:\r\n  type: 'Workflow'\r\n\r\nwf-b:\r\n  type: \"Schedule\"\r\n",
      "base: &base\n  type: On\n  cronjob: '* * * * *'\nwf:\n  on:\n  - base\n  type: Workflow\n",
      "wf:\n  desc: |\n    type: Schedule\n  type: Workflow\nnote: plain text\nlist:\n- type: x\n",
      "wf:\n    jobs:\n      a:\n        type: Schedule\n    type: Workflow\n",
      "name: single\ntype: Workflow\njobs:\n  a: {stages: []}\n",
      "name: 'quoted single'\ntype: Schedule # a comment\n",
      "wf :\n  type : Workflow\nother:\n  kind: Workflow\n",
    ];
    for (const text of texts) {
      const found = byScan(text);
      assert.notEqual(found, undefined, text);
      assert.deepEqual(found, byParse(text), text);
    }
  });

  it("leaves every layout it cannot read for sure to the YAML parser", () => {
    const texts = [
      "wf: {type: Workflow}\n", // flow map
      "base: &b\n  type: Workflow\nwf: *b\n", // alias as a value
      "wf:\n  <<: {type: Workflow}\n", // merge key
      'wf:\n  "type": Workflow\n', // quoted key
      "wf:\n  ? type\n  : Workflow\n", // complex key
      "a:\n  type: Workflow\n---\nb:\n  type: Workflow\n", // two documents
      "wf:\n\ttype: Workflow\n", // tab indent
      "wf:\n  type: Workflw\n", // unknown type: the parser's path reports it
      "wf:\n  type:\n", // null type
      "wf:\n  type: 1\n", // number type
      "wf:\n  type: Workflow\n  type: Schedule\n", // duplicate key
      "wf:\n  type: Workflow\nwf:\n  type: Workflow\n", // duplicate top-level key
      "true:\n  type: Workflow\n", // bool key
      "1:\n  type: Workflow\n", // number key
      "wf: !!map\n  type: Workflow\n", // tag
      "  wf:\n    type: Workflow\n", // indented document
      'wf:\n  desc: "open\n  type: Workflow"\n', // quoted value over two lines
      "wf:\n  needs: [a,\n  type: Workflow]\n", // flow value over two lines
      "name: 12\ntype: Workflow\n", // a name that is not a string
      "name: wf\n", // `name:` without `type:`
      "\uFEFFwf:\n  type: Workflow\n", // byte order mark
      "wf:\n  type: Workflow\n...\n", // document end
    ];
    for (const text of texts) assert.equal(scanTemplates(text, TYPES), undefined, text);
  });
});
