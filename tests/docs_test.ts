/**
 * The YAML examples of docs/workflows.md and docs/templates.md are real: every block marked
 * `<!-- run: <workflow> [STATUS] [params-json] -->` runs through the engine and ends with the
 * documented status; some documented results are checked too.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { detectRuntime } from "../src/runtime/mod.ts";
import { Engine } from "../src/engine.ts";
import type { Result } from "../src/executor/workflow_runner.ts";

const runtime = detectRuntime();
const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const DOCS = ["docs/workflows.md", "docs/templates.md"];

interface Example {
  readonly doc: string;
  readonly workflow: string;
  readonly status: string;
  readonly params: Record<string, unknown>;
  readonly yaml: string;
}

const MARKED = /<!-- run: ([\w-]+)(?: ([A-Z]+))?(?: (\{.*?\}))? -->\s*```yaml\n([\s\S]*?)```/g;

function examples(doc: string, markdown: string): Example[] {
  return [...markdown.matchAll(MARKED)].map((m) => ({
    doc,
    workflow: m[1],
    status: m[2] ?? "SUCCESS",
    params: m[3] ? JSON.parse(m[3]) : {},
    yaml: m[4],
  }));
}

function codeBlocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) =>
    m[1]
  );
}

type Json = Record<string, unknown>;
// deno-lint-ignore no-explicit-any
type Loose = any;

function stages(result: Result, job: string): Loose {
  return ((result.context.jobs as Json)[job] as Json).stages;
}

/** Documented results beyond the status, by workflow name. */
const CHECKS: Record<string, (r: Result) => void> = {
  "doc-params": (r) => {
    assert.deepEqual(r.context.params, {
      "run-date": "2026-03-08",
      limit: 100,
      full: false,
      tables: ["sales", "customer"],
      mode: "delta",
    });
  },
  "doc-trigger-rules": (r) => {
    const jobs = r.context.jobs as Record<string, { status: string }>;
    assert.deepEqual(
      Object.fromEntries(Object.entries(jobs).map(([k, v]) => [k, v.status]).sort()),
      { alert: "SUCCESS", cleanup: "SUCCESS", extract: "FAILED", load: "SKIP" },
    );
    assert.equal(r.context.errors?.message, "job 'extract' failed");
  },
  "doc-matrix": (r) => {
    const strategies = ((r.context.jobs as Loose).load.strategies) as Record<string, Loose>;
    const targets = Object.values(strategies).map((s) => s.stages.load.outputs.target).sort();
    assert.deepEqual(targets, ["audit@prod", "customer@prod", "sales@dev", "sales@prod"]);
  },
  "doc-stages-basic": (r) => {
    const s = stages(r, "main");
    assert.equal(s["7427491220"].status, "SUCCESS");
    assert.deepEqual(s.count.outputs, { return_code: 0, stdout: "3", stderr: null });
    assert.equal(s.optional.status, "FAILED");
    assert.equal(s.optional.errors.message, "bash exited with code 3: disk full");
    assert.equal(s.long.status, "SKIP");
    assert.equal(s.quick.status, "SUCCESS");
  },
  "doc-timeout": (r) => {
    assert.equal(stages(r, "slow").slow.errors.message, "stage 'Too slow' timed out after 200ms");
  },
  "doc-run": (r) => {
    const s = stages(r, "compute");
    assert.deepEqual(s.js.outputs, { count: 2, total: 7 });
    assert.deepEqual(s.py.outputs, { doubled: 14, label: "total=7" });
  },
  "doc-run-python-function": (r) => {
    const s = stages(r, "second-job");
    assert.deepEqual(s["create-func"].outputs, {
      var_inside: "Create Function Inside",
      echo: "echo",
    });
    assert.deepEqual(s["call-func"].outputs, {});
  },
  "doc-call": (r) => {
    assert.deepEqual(stages(r, "main").count.outputs, { count: 3, enough: true });
  },
  "doc-trigger": (r) => {
    const out = stages(r, "main").child.outputs;
    assert.equal(out.status, "SUCCESS");
    assert.deepEqual(out.params, { who: "ops" });
    assert.deepEqual(out.jobs.greet.stages.greet.outputs, { hello: "ops" });
  },
  "doc-nested": (r) => {
    const s = stages(r, "main");
    assert.deepEqual(s.tables.outputs.items, ["sales", "customer"]);
    assert.deepEqual(Object.keys(s.tables.outputs.foreach), ["sales", "customer"]);
    assert.deepEqual(Object.keys(s.poll.outputs.until), ["1", "2"]);
    assert.deepEqual(s.poll.outputs.until["1"].stages.next.outputs, { item: 2 });
    assert.equal(s["by-mode"].outputs.case, "_");
    assert.equal(s["by-mode"].outputs.stages.delta.status, "SUCCESS");
    assert.equal(s.fan.outputs.parallel.left.branch, "left");
  },
  "doc-raise": (r) => {
    const s = stages(r, "check");
    assert.deepEqual(s.guard.errors, { name: "NonRetriableError", message: "no rows for 0" });
    assert.equal(Object.keys(s).length, 1);
  },
  "doc-filters": (r) => {
    assert.deepEqual(stages(r, "show").v.outputs, {
      title: "Ann Lee",
      day: "20260308",
      keys: ["x", "y"],
      last: "customer",
      y: 2,
      n: 2,
      missing: "none",
    });
  },
  "doc-custom-filter": (r) => {
    assert.equal(stages(r, "main").slug.outputs.stdout, "daily-sales-report");
  },
  "doc-shell-params": (r) => {
    assert.equal(stages(r, "main").env.outputs.stdout, 'x"; echo injected; echo "');
    assert.equal(stages(r, "main").quoted.outputs.stdout, "<a b><it's><2>");
  },
  "doc-env": (r) => {
    assert.deepEqual(stages(r, "main").env.outputs, {
      price: "$5",
      region: "eu-west",
      label: "t=sales",
    });
  },
  "doc-conditions": (r) => {
    const s = stages(r, "main");
    assert.deepEqual(
      [s.bare.status, s.tpl.status, s.ref.status, s.has.status],
      ["SUCCESS", "SKIP", "SUCCESS", "SUCCESS"],
    );
  },
};

const found: Example[] = [];
for (const doc of DOCS) {
  const text = await runtime.fs.readText(`${root}/${doc}`);
  found.push(...examples(doc, text));
}

describe("docs examples", () => {
  let engine: Engine;
  const dir = `${root}/tests/fixtures/docs/tmp-${Date.now()}-${
    Math.random().toString(36).slice(2)
  }`;

  before(async () => {
    const workflowsMd = await runtime.fs.readText(`${root}/docs/workflows.md`);
    // Inside this checkout `@ddeutil/workflow` names the checkout: the block runs as printed.
    const task = codeBlocks(workflowsMd, "ts")[0];
    await runtime.fs.writeText(`${dir}/docs.ts`, task, { createDirs: true });
    for (const [i, example] of found.entries()) {
      await runtime.fs.writeText(`${dir}/conf/${i}.yml`, example.yaml, { createDirs: true });
    }
    engine = await Engine.create({
      runtime,
      settings: { confPath: `${dir}/conf`, registryCaller: [dir] },
      filters: {
        slug: (value) => String(value).toLowerCase().replace(/[^a-z0-9]+/g, "-"),
      },
      traces: null,
      audits: null,
    });
  });

  after(async () => {
    await engine?.close();
    await runtime.fs.remove(dir);
  });

  it("has between 10 and 30 runnable examples", () => {
    assert.ok(found.length >= 10 && found.length <= 30, `found ${found.length}`);
  });

  for (const example of found) {
    it(`runs '${example.workflow}' from ${example.doc} to ${example.status}`, async () => {
      const result = await engine.execute(example.workflow, example.params);
      assert.equal(result.status, example.status, JSON.stringify(result.context, null, 1));
      CHECKS[example.workflow]?.(result);
    });
  }
});
