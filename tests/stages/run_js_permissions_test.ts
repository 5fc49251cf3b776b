import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { engineFor, runtimeWithEnv } from "../_helpers.ts";

const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

const YAML = `
wf:
  type: Workflow
  params:
    path: str
  jobs:
    j:
      stages:
        - name: Read
          id: read
          continue-on-error: true
          vars:
            path: "\${{ params.path }}"
          run: "return { text: Deno.readTextFileSync(path) };"
        - name: Env
          id: env
          continue-on-error: true
          run: "return { home: typeof Deno.env.get('HOME') };"
`;

type Entry = { status: string; outputs: Record<string, unknown>; errors?: { message: string } };

/** Runs YAML's two stages with `permissions` set and returns their entries. */
async function runWith(permissions: string, path: string): Promise<Record<string, Entry>> {
  const engine = await engineFor(YAML, {
    runtime: runtimeWithEnv({ WORKFLOW_CORE_RUN_PERMISSIONS: permissions }),
  });
  try {
    const result = await engine.execute("wf", { path });
    const jobs = result.context.jobs as Record<string, { stages: Record<string, Entry> }>;
    return jobs.j.stages;
  } finally {
    await engine.close();
  }
}

describe("WORKFLOW_CORE_RUN_PERMISSIONS on Deno", { skip: !isDeno }, () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-permissions-"));
  const file = join(dir, "data.txt");
  writeFileSync(file, "hello");

  it("refuses a file read and allows env when set to env", async () => {
    const stages = await runWith("env", file);
    assert.equal(stages.read.status, "FAILED");
    assert.match(stages.read.errors!.message, /Requires read access to .*data\.txt/);
    assert.equal(stages.env.status, "SUCCESS");
    assert.deepEqual(stages.env.outputs, { home: "string" });
  });

  it("allows reading inside the folder of --allow-read=<dir> and refuses env", async () => {
    const stages = await runWith(`--allow-read=${dir}`, file);
    assert.equal(stages.read.status, "SUCCESS");
    assert.deepEqual(stages.read.outputs, { text: "hello" });
    assert.equal(stages.env.status, "FAILED");
    assert.match(stages.env.errors!.message, /Requires env access/);
  });

  it("refuses both with none, and allows both by default", async () => {
    const none = await runWith("none", file);
    assert.deepEqual([none.read.status, none.env.status], ["FAILED", "FAILED"]);
    const all = await runWith("all", file);
    assert.deepEqual([all.read.status, all.env.status], ["SUCCESS", "SUCCESS"]);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("WORKFLOW_CORE_RUN_PERMISSIONS on Bun and Node", { skip: isDeno }, () => {
  it("refuses to start an engine: these runtimes cannot confine run stages", async () => {
    await assert.rejects(
      engineFor(YAML, { runtime: runtimeWithEnv({ WORKFLOW_CORE_RUN_PERMISSIONS: "read" }) }),
      { name: "ConfigError", message: /WORKFLOW_CORE_RUN_PERMISSIONS .*only Deno can confine/ },
    );
  });

  it("starts as usual when it is all", async () => {
    const engine = await engineFor(YAML, {
      runtime: runtimeWithEnv({ WORKFLOW_CORE_RUN_PERMISSIONS: "all" }),
    });
    await engine.close();
  });
});
