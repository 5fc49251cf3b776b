import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createApi } from "../../src/api/app.ts";
import { Engine } from "../../src/engine.ts";
import { detectRuntime } from "../../src/runtime/mod.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { engineFor, runCliCaptured, runtimeWithEnv } from "../_helpers.ts";

const real = detectRuntime();
const cli = (args: string[], runtime: Runtime = real) => runCliCaptured(args, runtime);

async function tempDir(): Promise<string> {
  const dir = `/tmp/wf-cli-cuts-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  await real.fs.mkdir(dir);
  return dir;
}

const GREET = `
greet:
  type: Workflow
  params:
    name: {type: str, default: world}
    count: {type: int, default: 1}
  jobs:
    a:
      stages:
        - name: hello
          id: hello
          echo: "hello \${{ params.name }}"
bare:
  type: Workflow
  jobs:
    a:
      stages:
        - name: hi
          echo: hi
`;

describe("workflow run -p with a param the workflow does not declare", () => {
  it("refuses -p nmae=x naming nmae, suggesting name, with exit 2 and nothing run", async () => {
    const dir = await tempDir();
    await real.fs.writeText(`${dir}/wf.yml`, GREET);
    const out = await cli(["run", "greet", "--conf", dir, "-p", "nmae=x"]);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /declares no param 'nmae'; did you mean 'name'\?/);
    assert.match(out.stderr, /declared params: name, count/);
    assert.equal(out.stdout, "", "no progress: the workflow did not start");
    await real.fs.remove(dir);
  });

  it("refuses undeclared keys of --params and of release -p the same way", async () => {
    const dir = await tempDir();
    await real.fs.writeText(`${dir}/wf.yml`, GREET);
    const json = await cli(["run", "greet", "--conf", dir, "--params", '{"cuont": 2}', "--json"]);
    assert.equal(json.code, 2);
    assert.match(json.stderr, /declares no param 'cuont'; did you mean 'count'\?/);
    assert.equal(json.stdout, "");
    const release = await cli([
      "release",
      "greet",
      "--conf",
      dir,
      "--date",
      "2026-01-01T00:00:00Z",
      "-p",
      "nmae=x",
    ]);
    assert.equal(release.code, 2);
    assert.match(release.stderr, /declares no param 'nmae'; did you mean 'name'\?/);
    const bare = await cli(["run", "bare", "--conf", dir, "-p", "x=1"]);
    assert.equal(bare.code, 2);
    assert.match(
      bare.stderr,
      /declares no param 'x'\n.*declares no params; add them under 'params:'/,
    );
    await real.fs.remove(dir);
  });

  it("still runs with declared params", async () => {
    const dir = await tempDir();
    await real.fs.writeText(`${dir}/wf.yml`, GREET);
    const out = await cli(["run", "greet", "--conf", dir, "-p", "name=ada", "--json"]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(JSON.parse(out.stdout).context.params.name, "ada");
    await real.fs.remove(dir);
  });

  it("leaves Engine.execute keeping undeclared params as passed (code and the API)", async () => {
    const engine = await engineFor(GREET);
    try {
      const result = await engine.execute("greet", { nmae: "x" });
      assert.deepEqual(result.context.params, { name: "world", count: 1, nmae: "x" });
    } finally {
      await engine.close();
    }
  });
});

describe("workflow runs --json and workflow logs", () => {
  async function tracedProject(): Promise<{ dir: string; runtime: Runtime; runIds: string[] }> {
    const dir = await tempDir();
    await real.fs.writeText(`${dir}/conf/wf.yml`, GREET, { createDirs: true });
    const runtime = runtimeWithEnv({
      WORKFLOW_LOG_TRACE_ENABLE_WRITE: "true",
      WORKFLOW_LOG_TRACE_PATH: `${dir}/logs`,
    }, real);
    const runIds: string[] = [];
    for (const name of ["ada", "bob"]) {
      const out = await cli([
        "run",
        "greet",
        "--conf",
        `${dir}/conf`,
        "-p",
        `name=${name}`,
        "--json",
      ], runtime);
      assert.equal(out.code, 0, out.stderr);
      runIds.push(JSON.parse(out.stdout).run_id);
    }
    return { dir, runtime, runIds };
  }

  it("prints runs with the API's field names and ISO times, as GET /runs does", async () => {
    const { dir, runtime, runIds } = await tracedProject();
    const out = await cli(["runs", "--conf", `${dir}/conf`, "--json"], runtime);
    assert.equal(out.code, 0, out.stderr);
    const rows = JSON.parse(out.stdout) as Record<string, unknown>[];
    assert.deepEqual(rows.map((r) => r.run_id).sort(), [...runIds].sort());
    for (const row of rows) {
      assert.deepEqual(Object.keys(row), [
        "run_id",
        "parent_run_id",
        "workflow",
        "status",
        "started_at",
        "ended_at",
        "duration_ms",
        "rerun_of",
        "source",
      ]);
      assert.equal(row.parent_run_id, null);
      assert.equal(row.rerun_of, null);
      assert.equal(row.workflow, "greet");
      assert.equal(row.status, "SUCCESS");
      assert.match(String(row.started_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.match(String(row.ended_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.equal(typeof row.duration_ms, "number");
      assert.equal(row.source, "traces");
    }
    const engine = await Engine.create({ runtime, settings: { confPath: `${dir}/conf` } });
    try {
      const response = await createApi(engine, { token: "" }).request("/api/v1/runs");
      const body = await response.json() as { runs: Record<string, unknown>[] };
      assert.deepEqual(rows, body.runs, "runs --json is what GET /runs returns");
    } finally {
      await engine.close();
    }
    await real.fs.remove(dir);
  });

  it("shows whole run ids in logs, as runs prints them", async () => {
    const { dir, runtime, runIds } = await tracedProject();
    const out = await cli(["logs", runIds[0]], runtime);
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.trimEnd().split("\n");
    assert.ok(lines.length >= 2);
    for (const line of lines) assert.ok(line.includes(`(${runIds[0]})`), line);
    await real.fs.remove(dir);
  });
});
