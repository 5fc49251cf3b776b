/**
 * The JSON Schema printed by `workflow schema` agrees with the engine: every YAML example the
 * engine accepts (the files of conf/ and of the valid fixtures, every ```yaml block of the README,
 * docs/ and conf/README.md, the `workflow init` starter) passes it under a real draft-07
 * validator, and documents with a mistake fail it at the mistake's path.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { createMemoryRuntime } from "../../src/runtime/mod.ts";
import { indexConfig } from "../../src/config/loader.ts";
import { parseYaml } from "../../src/config/yaml.ts";
import { validateCron } from "../../src/scheduler/cron.ts";
import { formatIssue, isBlockingIssue } from "../../src/errors.ts";
import { runCliCaptured } from "../_helpers.ts";
import { STAGE_KINDS } from "../../src/stages/kinds.ts";
import { STAGE_COMMON_KEYS } from "../../src/models/stage.ts";
import { buildWorkflow } from "../../src/config/loader.ts";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** Filters that docs examples register in code (docs/templates.md). */
const KNOWN_FILTERS = ["slug"];

type Schema = Record<string, unknown> & { definitions: Record<string, unknown> };

async function printedSchema(): Promise<Schema> {
  const { code, stdout, stderr } = await runCliCaptured(["schema"]);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout);
}

/** A strict draft-07 validator (unknown keywords and loose types are schema bugs too). */
async function validators(): Promise<{
  document: ValidateFunction;
  definition: (name: string) => ValidateFunction;
}> {
  const schema = await printedSchema();
  assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#");
  // deno-lint-ignore no-explicit-any
  const AjvClass = ((Ajv as any).default ?? Ajv) as typeof Ajv.default;
  const ajv = new AjvClass({
    allErrors: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
  });
  const document = ajv.compile(schema);
  const definition = (name: string) => {
    assert.ok(schema.definitions[name], `the schema has no definition '${name}'`);
    return ajv.compile({ $ref: `${schema.$id}#/definitions/${name}` });
  };
  return { document, definition };
}

function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? []).slice(0, 8).map((e) =>
    `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`
  ).join("\n");
}

function yamlData(text: string, where: string): unknown {
  const parsed = parseYaml(text);
  assert.deepEqual(parsed.problems, [], `${where} is not valid YAML`);
  return parsed.data;
}

/** What the engine says about one config file: the blocking issues, formatted. */
function engineIssues(files: readonly { path: string; text: string }[]): string[] {
  const config = indexConfig(files, { validateCron, knownFilters: KNOWN_FILTERS });
  return config.validate().filter(isBlockingIssue).map(formatIssue);
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => `${entry.parentPath ?? (entry as { path?: string }).path}/${entry.name}`)
    .sort();
}

const DOCS = [
  "README.md",
  "conf/README.md",
  ...readdirSync(`${root}/docs`).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
].sort();

function yamlBlocks(doc: string): string[] {
  const markdown = readFileSync(`${root}/${doc}`, "utf8");
  return [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/**
 * Blocks that are not a whole config file, by how they start: the schema definition a
 * fragment is checked against, or `null` with the reason it is not ours to check.
 */
const FRAGMENTS: readonly { doc: string; line: string; definition: string | null }[] = [
  { doc: "docs/workflows.md", line: "# conf/", definition: null }, // file layouts, jobs elided
  { doc: "docs/workflows.md", line: "strategy:", definition: "job" },
  { doc: "docs/security.md", line: "  - name: Greet", definition: "stages" },
  { doc: "docs/operate.md", line: "scrape_configs:", definition: null }, // a Prometheus file
];

function fragmentOf(doc: string, block: string) {
  return FRAGMENTS.find((f) => f.doc === doc && block.startsWith(f.line));
}

describe("workflow schema", () => {
  it("passes every config file in conf/ and tests/fixtures/config/valid", async () => {
    const { document } = await validators();
    let checked = 0;
    for (const dir of [`${root}/conf`, `${root}/tests/fixtures/config/valid`]) {
      // A folder is one config: its templates refer to each other across files.
      const files = yamlFiles(dir).map((file) => ({
        path: file.slice(dir.length + 1),
        text: readFileSync(file, "utf8"),
      }));
      assert.deepEqual(engineIssues(files), [], dir);
      for (const { path, text } of files) {
        const ok = document(yamlData(text, path));
        assert.ok(ok, `${dir}/${path} fails the schema:\n${describeErrors(document.errors)}`);
        checked++;
      }
    }
    assert.ok(checked >= 6, `only ${checked} files checked`);
  });

  it("passes every YAML example of the README, docs/ and conf/README.md", async () => {
    const { document, definition } = await validators();
    let checked = 0;
    const usedFragments = new Set<unknown>();
    for (const doc of DOCS) {
      yamlBlocks(doc).forEach((block, index) => {
        const where = `${doc} yaml block ${index + 1}`;
        const fragment = fragmentOf(doc, block);
        if (fragment) usedFragments.add(fragment);
        if (fragment?.definition === null) return;
        const data = yamlData(block, where);
        if (fragment) {
          const validate = definition(fragment.definition);
          assert.ok(validate(data), `${where} fails:\n${describeErrors(validate.errors)}`);
        } else {
          assert.deepEqual(engineIssues([{ path: "example.yml", text: block }]), [], where);
          assert.ok(
            document(data),
            `${where} fails the schema:\n${describeErrors(document.errors)}`,
          );
        }
        checked++;
      });
    }
    assert.equal(usedFragments.size, FRAGMENTS.length, "a FRAGMENTS entry matches no block");
    assert.ok(checked >= 20, `only ${checked} examples checked`);
  });

  it("passes the starter config that `workflow init` writes", async () => {
    const { document } = await validators();
    const runtime = createMemoryRuntime();
    const { code, stderr } = await runCliCaptured(["init", "/proj"], runtime);
    assert.equal(code, 0, stderr);
    const files = (await runtime.fs.listFiles("/proj/conf")).filter((f) => /\.ya?ml$/.test(f));
    const texts = await Promise.all(files.map((f) => runtime.fs.readText(f)));
    assert.ok(texts.length >= 1);
    for (const text of texts) {
      assert.ok(document(yamlData(text, "init")), describeErrors(document.errors));
    }
  });
});

/**
 * Forms the engine accepts that the schema once refused (each was a schema bug): a schedule
 * entry given by name, `runs-on` with `args`, numbers and booleans as stage text, a boolean
 * `until`, a number as a name or description.
 */
const ACCEPTED = `
wf-forms:
  type: Workflow
  desc: 2026
  params:
    x: { type: int, desc: 1 }
  jobs:
    a:
      desc: 3
      runs-on: { type: local, args: { cores: 2 } }
      stages:
        - { name: 2024, id: 7, desc: 1, echo: 3 }
        - { name: Code, run: 42, lang: python }
        - { name: Shell, bash: 1, cwd: 2 }
        - { name: Loop, item: 0, until: true, max-loop: 2, stages: [{ name: N, echo: true }] }
        - name: Case
          case: 1
          match:
            - { case: 1, stages: [{ name: One, raise: 404 }] }
            - { else: [{ name: Other, echo: other }] }
        - { name: Child, trigger: 1 }
1:
  type: Workflow
nightly:
  type: Schedule
  workflows: [wf-forms, { name: wf-forms, alias: again }]
`;

describe("workflow schema on forms the engine accepts", () => {
  it("passes a schedule entry by name, runs-on args, numbers as text, a boolean until", async () => {
    const { document } = await validators();
    assert.deepEqual(engineIssues([{ path: "forms.yml", text: ACCEPTED }]), []);
    const ok = document(yamlData(ACCEPTED, "forms"));
    assert.ok(ok, describeErrors(document.errors));
  });
});

/** A minimal valid stage of each kind, to vary one key at a time. */
const MINIMAL_STAGES: Readonly<Record<string, Record<string, unknown>>> = {
  shell: { name: "s", bash: "echo" },
  call: { name: "s", uses: "a/b@c" },
  trigger: { name: "s", trigger: "w" },
  foreach: { name: "s", foreach: [1], stages: [{ name: "n", echo: "x" }] },
  until: { name: "s", until: "true", stages: [{ name: "n", echo: "x" }] },
  parallel: { name: "s", parallel: { l: [{ name: "n", echo: "x" }] } },
  case: { name: "s", case: "x", match: [{ case: "x", stages: [{ name: "n", echo: "x" }] }] },
  run: { name: "s", run: "x" },
  raise: { name: "s", raise: "x" },
  docker: { name: "s", image: "x" },
  empty: { name: "s", echo: "x" },
};

/** Values a YAML author may write for any key: empty, numbers, booleans, text, lists, maps. */
const PROBES: readonly unknown[] = [null, 0, 1, 2.5, true, "x", "${{ params.x }}", "10s", [], {}];

function engineAccepts(raw: Record<string, unknown>): boolean {
  try {
    buildWorkflow("wf", raw, { validateCron });
    return true;
  } catch {
    return false;
  }
}

describe("workflow schema against the engine, key by key", () => {
  it("accepts every value the engine accepts for any key of any stage kind", async () => {
    const { document } = await validators();
    assert.deepEqual(Object.keys(MINIMAL_STAGES).sort(), STAGE_KINDS.map((k) => k.kind).sort());
    const refused: string[] = [];
    for (const kind of STAGE_KINDS) {
      for (const key of [...STAGE_COMMON_KEYS, ...kind.keys]) {
        for (const value of PROBES) {
          const stage = { ...MINIMAL_STAGES[kind.kind], [key]: value };
          const raw = { type: "Workflow", params: { x: "str" }, jobs: { a: { stages: [stage] } } };
          if (engineAccepts(raw) && !document({ wf: raw })) {
            refused.push(`${kind.kind} ${key}: ${JSON.stringify(value)}`);
          }
        }
      }
    }
    assert.deepEqual(refused, []);
  });

  it("accepts every value the engine accepts for any key of a job or a workflow", async () => {
    const { document } = await validators();
    const refused: string[] = [];
    const jobKeys = ["desc", "runs-on", "if", "needs", "trigger-rule", "strategy", "stages"];
    for (const key of [...jobKeys, "timeout", "retry"]) {
      for (const value of PROBES) {
        const raw = {
          type: "Workflow",
          jobs: { a: { stages: [{ name: "n", echo: "x" }], [key]: value } },
        };
        if (engineAccepts(raw) && !document({ wf: raw })) {
          refused.push(`job ${key}: ${JSON.stringify(value)}`);
        }
      }
    }
    const workflowKeys = ["desc", "params", "on", "jobs", "max-job-parallel", "timeout", "tags"];
    for (const key of workflowKeys) {
      for (const value of [...PROBES, { interval: "daily", time: "01:30" }, { schedule: null }]) {
        const raw = { type: "Workflow", [key]: value };
        if (engineAccepts(raw) && !document({ wf: raw })) {
          refused.push(`workflow ${key}: ${JSON.stringify(value)}`);
        }
      }
    }
    assert.deepEqual(refused, []);
  });
});

/** Deliberately wrong documents: the engine refuses each, and the schema fails it at `at`. */
const WRONG: readonly { what: string; yaml: string; at: string; says: RegExp }[] = [
  {
    what: "a misspelt stage key",
    yaml:
      "wf:\n  type: Workflow\n  jobs:\n    a:\n      stages:\n        - name: S\n          ech: hi\n",
    at: "/wf/jobs/a/stages/0",
    says: /additionalProperty.*ech/,
  },
  {
    what: "a misspelt job key",
    yaml: "wf:\n  type: Workflow\n  jobs:\n    a:\n      need: [b]\n      stages: []\n",
    at: "/wf/jobs/a",
    says: /additionalProperty.*need/,
  },
  {
    what: "an unknown param type",
    yaml: "wf:\n  type: Workflow\n  params:\n    day: dte\n",
    at: "/wf/params/day",
    says: /allowedValues/,
  },
  {
    what: "a stage without a name",
    yaml: "wf:\n  type: Workflow\n  jobs:\n    a:\n      stages:\n        - echo: hi\n",
    at: "/wf/jobs/a/stages/0",
    says: /missingProperty.*name/,
  },
  {
    what: "an until loop over the iteration limit",
    yaml: "wf:\n  type: Workflow\n  jobs:\n    a:\n      stages:\n" +
      "        - name: L\n          until: 'item > 3'\n          max-loop: 20000\n" +
      "          stages: [{ name: N, echo: x }]\n",
    at: "/wf/jobs/a/stages/0/max-loop",
    says: /limit.*10000/,
  },
  {
    what: "an unknown run language",
    yaml: "wf:\n  type: Workflow\n  jobs:\n    a:\n      stages:\n" +
      "        - name: R\n          run: x = 1\n          lang: ruby\n",
    at: "/wf/jobs/a/stages/0/lang",
    says: /allowedValues/,
  },
  {
    what: "a shell env name that is no variable name",
    yaml: "wf:\n  type: Workflow\n  jobs:\n    a:\n      stages:\n" +
      "        - name: B\n          bash: echo hi\n          env: { 1ST: x }\n",
    at: "/wf/jobs/a/stages/0/env",
    says: /propertyName.*1ST/,
  },
  {
    what: "an unknown catch-up policy",
    yaml: "s:\n  type: Schedule\n  catch-up: sometimes\n  workflows: [{ name: wf }]\n",
    at: "/s/catch-up",
    says: /allowedValues/,
  },
];

describe("workflow schema on wrong documents", () => {
  for (const wrong of WRONG) {
    it(`fails ${wrong.what} at ${wrong.at}, as the engine does`, async () => {
      const { document } = await validators();
      assert.notDeepEqual(engineIssues([{ path: "wrong.yml", text: wrong.yaml }]), []);
      assert.equal(document(yamlData(wrong.yaml, wrong.what)), false);
      const errors = (document.errors ?? []).filter((e) => e.instancePath === wrong.at);
      assert.ok(
        errors.some((e) => wrong.says.test(`${e.message} ${JSON.stringify(e.params)}`)),
        `no error at ${wrong.at} matching ${wrong.says}:\n${describeErrors(document.errors)}`,
      );
    });
  }
});
