import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { detectRuntime } from "../src/runtime/mod.ts";
import { loadConfig } from "../src/config/loader.ts";
import { validateCron } from "../src/scheduler/cron.ts";
import { Engine } from "../src/engine.ts";
import { formatIssue } from "../src/errors.ts";

const runtime = detectRuntime();
const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const confPath = `${root}/conf`;

function engine(): Promise<Engine> {
  return Engine.create({ runtime, settings: { confPath, registryCaller: [root] } });
}

function jobStages(context: Record<string, unknown>, job: string): Record<string, {
  status: string;
  outputs: Record<string, unknown>;
}> {
  const jobs = context.jobs as Record<string, { stages: Record<string, never> }>;
  return jobs[job].stages;
}

describe("conf/ examples", () => {
  it("every file in conf/ loads and validates with zero issues", async () => {
    const config = await loadConfig(runtime, { confPath, validateCron });
    const issues = config.validate().map(formatIssue);
    assert.deepEqual(issues, []);
    assert.ok(config.names("Workflow").includes("example-stages"));
    for (const name of config.names("Workflow")) assert.equal(config.workflow(name).name, name);
  });

  it("example-stages uses every stage kind", async () => {
    const e = await engine();
    const kinds = new Set<string>();
    const visit = (stages: readonly { kind: string }[]): void => {
      for (const stage of stages as readonly Record<string, unknown>[]) {
        kinds.add(stage.kind as string);
        if (Array.isArray(stage.stages)) visit(stage.stages);
        if (stage.parallel) {
          for (const list of Object.values(stage.parallel as object)) visit(list);
        }
        if (Array.isArray(stage.match)) { for (const m of stage.match) visit(m.stages); }
      }
    };
    for (const name of e.config.names("Workflow")) {
      for (const job of Object.values(e.workflow(name).jobs)) visit(job.stages);
    }
    assert.deepEqual([...kinds].sort(), [
      "call",
      "case",
      "docker",
      "empty",
      "foreach",
      "parallel",
      "raise",
      "run",
      "shell",
      "trigger",
      "until",
    ]);
  });

  it("demo-hello succeeds and counts the letters of the name", async () => {
    const e = await engine();
    try {
      const result = await e.execute("demo-hello", { name: "ann" });
      assert.equal(result.status, "SUCCESS");
      assert.equal(jobStages(result.context, "greet").count.outputs.stdout, "3");
    } finally {
      await e.close();
    }
  });

  it("example-stages succeeds in full mode with every stage's key output", async () => {
    const e = await engine();
    try {
      const result = await e.execute("example-stages", { mode: "full" });
      assert.equal(result.status, "SUCCESS", JSON.stringify(result.context.errors));
      const prepare = jobStages(result.context, "prepare");
      assert.deepEqual(prepare.items.outputs, { items: [1, 2, 3, 4] });
      assert.equal(prepare.host.outputs.stdout, "mode=full");
      assert.equal(prepare.posix.outputs.stdout, "plain sh");
      const process = jobStages(result.context, "process");
      assert.deepEqual(process.total.outputs, { total: 17, count: 2 });
      const grow = process.grow.outputs.until as Record<string, unknown>;
      assert.equal(Object.keys(grow).length, 4);
      const sides = process.sides.outputs.parallel as Record<
        string,
        { stages: Record<string, { outputs: unknown }> }
      >;
      assert.deepEqual(sides.javascript.stages.upper.outputs, { word: "FULL" });
      assert.deepEqual(sides.python.stages.lower.outputs, { word: "full!" });
      assert.deepEqual(process.route.outputs.case, "full");
      const child = process.child.outputs as { status: string; params: unknown };
      assert.equal(child.status, "SUCCESS");
      assert.deepEqual(child.params, { total: 17 });
    } finally {
      await e.close();
    }
  });

  it("example-stages takes the single-stage case branch in delta mode", async () => {
    const e = await engine();
    try {
      const result = await e.execute("example-stages", { mode: "delta" });
      assert.equal(result.status, "SUCCESS");
      const route = jobStages(result.context, "process").route;
      assert.deepEqual(route.outputs.case, "delta");
    } finally {
      await e.close();
    }
  });

  it("example-child succeeds alone and its raise guards a negative total", async () => {
    const e = await engine();
    try {
      assert.equal((await e.execute("example-child", { total: 3 })).status, "SUCCESS");
      const bad = await e.execute("example-child", { total: -1 });
      assert.equal(bad.status, "FAILED");
      const guard = Object.values(jobStages(bad.context, "report")).find((s) =>
        s.status === "FAILED"
      ) as unknown as { errors: { message: string } };
      assert.equal(guard.errors.message, "total must not be negative");
    } finally {
      await e.close();
    }
  });

  it("example-docker fails with the clear no-container-engine error", async () => {
    const e = await engine();
    try {
      const result = await e.execute("example-docker");
      assert.equal(result.status, "FAILED");
      const box = jobStages(result.context, "containerised").box as unknown as {
        errors: { message: string };
      };
      assert.match(box.errors.message, /cannot run image 'python:3\.12': no container engine/);
    } finally {
      await e.close();
    }
  });
});
