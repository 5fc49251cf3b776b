/**
 * The README's example is real: its YAML and task module run as written, importing
 * `@ddeutil/workflow` by name. tests/packaging/ runs it again from the installed packages.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { detectRuntime } from "../src/runtime/mod.ts";
import { Engine } from "../src/engine.ts";
import { execFileSync } from "node:child_process";

const globals = globalThis as { Deno?: unknown; Bun?: unknown };
const onNode = globals.Deno === undefined && globals.Bun === undefined;

const runtime = detectRuntime();
const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

function codeBlocks(markdown: string, lang: string): string[] {
  const blocks: string[] = [];
  const re = new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g");
  for (const m of markdown.matchAll(re)) blocks.push(m[1]);
  return blocks;
}

describe("README", () => {
  it("starts with the two set-up commands", async () => {
    const readme = await runtime.fs.readText(`${root}/README.md`);
    const first = codeBlocks(readme, "sh")[0];
    assert.match(first, /^npm ci && npm run demo\b/m);
    assert.match(first, /^npm ci && npm test\b/m);
  });

  it("'npm run demo' runs the demo workflow to SUCCESS", {
    skip: onNode ? false : "checked once, from Node",
  }, () => {
    const out = execFileSync("npm", ["run", "--silent", "demo"], { cwd: root, encoding: "utf8" });
    assert.match(out, /^▶ demo-hello \(run \d{20}T\d{10}\)$/m);
    assert.match(out, /✓ job report SUCCESS/);
    assert.match(out, /^✓ demo-hello SUCCESS/m);
  });

  it("runs its 20-line example workflow with its task module", async () => {
    const readme = await runtime.fs.readText(`${root}/README.md`);
    const yaml = codeBlocks(readme, "yaml")[0];
    const task = codeBlocks(readme, "ts")[0];
    // Inside this checkout `@ddeutil/workflow` names the checkout itself (deno.json and
    // package.json `exports`), so the task module imports it exactly as printed.
    const dir = `${root}/.wf-tmp/readme-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await runtime.fs.writeText(`${dir}/conf/etl.yml`, yaml, { createDirs: true });
    await runtime.fs.writeText(`${dir}/tasks/mod.ts`, task, { createDirs: true });
    const engine = await Engine.create({
      runtime,
      settings: { confPath: `${dir}/conf`, registryCaller: [dir] },
      traces: null,
      audits: null,
    });
    try {
      const result = await engine.execute("etl", { "run-date": "2026-11-30" });
      assert.equal(result.status, "SUCCESS", JSON.stringify(result.context.jobs));
      const strategies = Object.values(result.context.jobs.extract.strategies ?? {});
      const tables = strategies.map((s) => s.matrix.table).sort();
      assert.deepEqual(tables, ["customer", "sales"]);
      assert.deepEqual(strategies[0].stages.extract.outputs, { rows: 42 });
      const report = Object.values(result.context.jobs.report.stages ?? {})[0];
      assert.equal(report.outputs.stdout, "loaded 2 tables");
    } finally {
      await engine.close();
      await runtime.fs.remove(dir);
    }
  });
});
