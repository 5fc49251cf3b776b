/**
 * `createWebRuntime()`: the runtime for edge hosts — real time, in-memory files, env from an
 * object, no subprocesses or workers — and what the engine and the API do with it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  createApi,
  createWebRuntime,
  Engine,
  indexConfig,
  type Result,
  type Runtime,
} from "../../core.ts";
import { createMemoryRuntime } from "../../testing.ts";

const WORKFLOWS = `
timed:
  type: Workflow
  jobs:
    main:
      stages:
        - name: Nap
          id: nap
          sleep: 0.05
        - name: Too slow
          id: too-slow
          sleep: 5
          timeout: 0.05
host-bound:
  type: Workflow
  jobs:
    main:
      stages:
        - name: Shell
          id: shell
          bash: echo hi
          continue-on-error: true
        - name: Code
          id: code
          run: "return { x: 1 };"
          continue-on-error: true
        - name: Python
          id: python
          lang: python
          run: "x = 1"
          continue-on-error: true
        - name: Box
          id: box
          image: alpine
          continue-on-error: true
`;

interface StageJson {
  status: string;
  errors?: { name: string; message: string };
}

/** The stages of job `main`, by id. */
function mainStages(result: Result): Record<string, StageJson> {
  const jobs = result.context.jobs as Record<string, { stages: Record<string, StageJson> }>;
  return jobs.main.stages;
}

function engineOn(runtime: Runtime = createWebRuntime()) {
  const config = indexConfig([{ path: "edge.yml", text: WORKFLOWS }]);
  return Engine.create({ runtime, config, traces: null, audits: null });
}

describe("createWebRuntime()", () => {
  it("keeps only the string values of the env object it is given", () => {
    const runtime = createWebRuntime({ env: { NAME: "edge", KV: { get() {} }, COUNT: 3 } });
    assert.deepEqual(runtime.env.toObject(), { NAME: "edge" });
    assert.equal(runtime.env.get("KV"), undefined);
  });

  it("serves files from memory under its working folder", async () => {
    const runtime = createWebRuntime({ files: { "conf/a.yml": "a: 1" }, cwd: "/app" });
    assert.equal(await runtime.fs.readText("/app/conf/a.yml"), "a: 1");
    assert.deepEqual(await runtime.fs.listFiles("conf"), ["conf/a.yml"]);
  });

  it("says it has no subprocesses or workers, and refuses both with a message saying so", async () => {
    const runtime = createWebRuntime();
    assert.deepEqual(runtime.capabilities, { subprocesses: false, workers: false });
    await assert.rejects(runtime.spawn.spawn(["ls"]), /web runtime has no subprocesses/);
    assert.throws(
      () => runtime.workers.create(new URL("file:///w.js")),
      /web runtime has no workers/,
    );
  });

  it("runs sleeps and stage timeouts on the real clock and stamps runs with today's date", async () => {
    const engine = await engineOn();
    const result = await engine.execute("timed");
    const stages = mainStages(result);
    assert.equal(stages.nap.status, "SUCCESS");
    assert.equal(stages["too-slow"].status, "FAILED");
    assert.match(stages["too-slow"].errors!.message, /timed out after 50ms/);
    const started = (result.context.info as { start: string }).start;
    assert.equal(new Date(started).getUTCFullYear(), new Date().getUTCFullYear());
    await engine.close();
  });
});

describe("stages that need a host the runtime lacks", () => {
  it("bash:, run:, lang: python and docker: stages fail at once saying this runtime has no subprocesses or workers", async () => {
    const engine = await engineOn();
    const result = await engine.execute("host-bound");
    const stages = mainStages(result);
    const messages = Object.fromEntries(
      Object.entries(stages).map(([id, stage]) => [id, stage.errors?.message]),
    );
    assert.match(
      messages.shell!,
      /^a bash: stage cannot run here: this runtime has no subprocesses/,
    );
    assert.match(
      messages.code!,
      /^a JavaScript run: stage cannot run here: this runtime has no workers/,
    );
    assert.match(
      messages.python!,
      /lang: python cannot run here: this runtime has no subprocesses/,
    );
    assert.match(
      messages.box!,
      /^a docker: stage cannot run here: this runtime has no subprocesses/,
    );
    await engine.close();
  });

  it("engine.checkHost() reports each of them with its file, line and path before anything runs", async () => {
    const engine = await engineOn();
    const issues = engine.checkHost();
    assert.deepEqual(
      issues.map((issue) => [issue.file, issue.line, issue.path, issue.severity]),
      [
        ["edge.yml", 19, "jobs.main.stages[0]", "error"],
        ["edge.yml", 23, "jobs.main.stages[1]", "error"],
        ["edge.yml", 27, "jobs.main.stages[2]", "error"],
        ["edge.yml", 32, "jobs.main.stages[3]", "error"],
      ],
    );
    await engine.close();
  });

  it("engine.checkHost() reports nothing when the runtime can spawn and start workers", async () => {
    const runtime = createMemoryRuntime({
      spawn: () => Promise.reject(new Error("not called")),
      workers: {
        create() {
          throw new Error("not called");
        },
      },
    });
    const engine = await engineOn(runtime);
    assert.deepEqual(engine.checkHost(), []);
    await engine.close();
  });

  it("the validate routes answer ok: false and name the stages on such a runtime", async () => {
    const engine = await engineOn();
    const api = createApi(engine);
    const one = await (await api.request("/api/v1/workflows/host-bound/validate")).json();
    assert.equal(one.ok, false);
    assert.equal(one.issues.length, 4);
    const all = await (await api.request("/api/v1/validate", {
      method: "POST",
      headers: { "content-type": "application/json" },
    })).json();
    assert.equal(all.ok, false);
    assert.match(all.issues[0].message, /this runtime has no subprocesses/);
    const timed = await (await api.request("/api/v1/workflows/timed/validate")).json();
    assert.deepEqual(timed, { name: "timed", ok: true, issues: [] });
    await engine.close();
  });
});

describe("createApi().fetch with a host execution context", () => {
  it("hands an async run to waitUntil, which settles once a later GET shows the run ended", async () => {
    const engine = await engineOn();
    const api = createApi(engine);
    const kept: Promise<unknown>[] = [];
    const response = await api.fetch(
      new Request("http://localhost/api/v1/workflows/timed/execute", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ async: true }),
      }),
      {},
      { waitUntil: (promise) => void kept.push(promise) },
    );
    assert.equal(response.status, 202);
    const { status_url: statusUrl } = await response.json();
    assert.equal(kept.length, 1);
    await kept[0];
    const run = await (await api.request(statusUrl)).json();
    assert.equal(run.status, "FAILED"); // its `too-slow` stage timed out
    assert.notEqual(run.ended_at, null);
    await engine.close();
  });
});
