import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { apiFor, postJson, waitForRun } from "./_fixture.ts";
import { createApi } from "../../src/api/app.ts";
import { withoutServerPaths } from "../../src/api/errors.ts";
import { engineFor } from "../_helpers.ts";
import { MemoryTraceStore } from "../../src/results/memory_trace_store.ts";
import { Registry, tag } from "../../src/stages/registry.ts";

function nested(depth: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** A task whose output nests deeper than any recursive walk over it can go. */
const deep = tag("v1", { alias: "deep" })(() => ({ deep: nested(200_000) }));

/** A task whose output refers to itself, which JSON cannot hold. */
const cyclic = tag("v1", { alias: "cyclic" })(() => {
  const loop: Record<string, unknown> = { name: "loop" };
  loop.self = loop;
  return { loop };
});

const DEEP_YAML = `
deep-output:
  type: Workflow
  params:
    password:
      type: secret
      default: ""
  jobs:
    make:
      stages:
        - name: Make
          id: make
          uses: tasks/deep@v1
`;

describe("API hostile input", () => {
  it("refuses params nested 2,500 levels deep with 400 naming the limit, before anything runs", async () => {
    const { api } = await apiFor();
    const body = `{"params":{"name":${"[".repeat(2500)}${"]".repeat(2500)}}}`;
    const response = await postJson(api, "/api/v1/workflows/greet/execute", body);
    assert.equal(response.status, 400);
    const { error } = await response.json();
    assert.equal(error.name, "BodyTooDeep");
    assert.equal(error.max_depth, 64);
    assert.match(error.message, /more than 64 levels deep/);
    assert.deepEqual((await (await api.request("/api/v1/runs")).json()).runs, []);
  });

  it("counts nesting, not brackets inside strings, and takes its limit from maxBodyDepth", async () => {
    const { api } = await apiFor({ maxBodyDepth: 4 });
    const text = "[{".repeat(200);
    const ok = await postJson(api, "/api/v1/workflows/greet/execute", {
      params: { name: text },
    });
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).context.params.name, text);
    const deepest = await postJson(api, "/api/v1/workflows/greet/execute", {
      params: { x: { y: [1] } }, // body, params, x, y: 4 levels
    });
    assert.equal(deepest.status, 200);
    await deepest.body?.cancel();
    const over = await postJson(api, "/api/v1/workflows/greet/execute", {
      params: { x: { y: [[1]] } },
    });
    assert.equal(over.status, 400);
    assert.match((await over.json()).error.message, /more than 4 levels/);
  });

  it("ends a run whose result cannot be shown FAILED with the error, never WAIT", async () => {
    const traces = new MemoryTraceStore();
    const engine = await engineFor(DEEP_YAML, {
      registry: new Registry().register("tasks", [deep]),
      traces,
      audits: null,
    });
    const api = createApi(engine, { token: "", prefix: "/api/v1" });
    // Without secrets the context is not copied for masking; turning it into JSON fails.
    const plain = await postJson(api, "/api/v1/workflows/deep-output/execute", {});
    assert.equal(plain.status, 200);
    const body = await plain.json();
    assert.equal(body.status, "FAILED");
    assert.equal(body.context.errors.name, "RangeError");
    const run = await (await api.request(`/api/v1/runs/${body.run_id}`)).json();
    assert.equal(run.status, "FAILED");
    assert.equal(run.error.name, "RangeError");

    // With a secret, masking the context for the trace fails first: the trace ends FAILED.
    const accepted = await (await postJson(api, "/api/v1/workflows/deep-output/execute", {
      params: { password: "hunter22" },
      async: true,
    })).json();
    const ended = await waitForRun(api, accepted.run_id);
    assert.equal(ended.status, "FAILED");
    await engine.flush();
    const stored = (await traces.listRuns()).find((r) => r.runId === accepted.run_id);
    assert.equal(stored?.status, "FAILED");
    const end = (await traces.getTrace(accepted.run_id))!.find((r) => r.event === "run-end");
    assert.match(end!.message, /could not be masked/);

    // Nothing is left running, so shutdown does not wait out its grace period.
    assert.equal(api.runningCount(), 0);
    const started = performance.now();
    await api.close({ graceMs: 10_000 });
    assert.ok(performance.now() - started < 2000);
    await engine.close();
  });

  it("streams the events of a run whose context JSON cannot hold to their end", async () => {
    const engine = await engineFor(DEEP_YAML.replace("deep@v1", "cyclic@v1"), {
      registry: new Registry().register("tasks", [cyclic]),
      traces: null,
      audits: null,
    });
    const api = createApi(engine, { token: "", prefix: "/api/v1" });
    const accepted = await (await postJson(api, "/api/v1/workflows/deep-output/execute", {
      async: true,
    })).json();
    const stream = await (await api.request(`/api/v1/runs/${accepted.run_id}/events`)).text();
    assert.match(stream, /event: run-end\ndata: \{"error":\{"name":"UnserializableEvent"/);
    assert.match(stream, /event: end\ndata: \{"run_id":"[^"]+","status":"SUCCESS"\}/);
    // The result itself is shown with the cycle cut.
    const run = await (await api.request(`/api/v1/runs/${accepted.run_id}`)).json();
    assert.equal(run.context.jobs.make.stages.make.outputs.loop.self, "[Circular]");
    await api.close();
    await engine.close();
  });

  it("keeps server paths out of the message of an unexpected error", async () => {
    const { api } = await apiFor({
      traces: {
        listRuns: () =>
          Promise.reject(new Error("ENOENT: no such file or directory, scandir '/srv/wf/logs'")),
      } as never,
    });
    const response = await api.request("/api/v1/runs");
    assert.equal(response.status, 500);
    const { error } = await response.json();
    assert.equal(error.message, "ENOENT: no such file or directory, scandir '…/logs'");
  });
});

describe("withoutServerPaths()", () => {
  it("drops the folders of absolute paths and keeps URLs and relative paths", () => {
    assert.equal(
      withoutServerPaths("File name too long (os error 36): stat '/tmp/x/logs/run_id=aaa'"),
      "File name too long (os error 36): stat '…/run_id=aaa'",
    );
    assert.equal(
      withoutServerPaths("cannot import file:///home/u/app/tasks.ts"),
      "cannot import …/tasks.ts",
    );
    assert.equal(withoutServerPaths("C:\\Users\\me\\logs\\x.txt is locked"), "…/x.txt is locked");
    const kept = "see http://localhost:8000/api/v1/runs, ./logs/x and a/b";
    assert.equal(withoutServerPaths(kept), kept);
  });
});
