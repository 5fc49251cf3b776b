import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { postJson, waitForRun } from "./_fixture.ts";
import { engineFor } from "../_helpers.ts";
import { createApi, type WorkflowApi } from "../../src/api/mod.ts";
import { onLifecycle } from "../../src/executor/events.ts";
import { MemoryTraceStore } from "../../src/results/memory_trace_store.ts";
import { MemoryRunStore } from "../../src/results/memory_run_store.ts";
import { runRecords } from "../results/_helpers.ts";
import type { Engine } from "../../src/engine.ts";

const YAML = `
two-step:
  type: Workflow
  params:
    name:
      type: str
      default: nobody
  jobs:
    first:
      stages:
        - name: Quick
          id: quick
          echo: "first \${{ params.name }}"
    second:
      needs: [first]
      stages:
        - name: Long
          id: long
          sleep: 60
half-broken:
  type: Workflow
  params:
    name:
      type: str
  jobs:
    good:
      stages:
        - name: Fine
          id: fine
          echo: "fine \${{ params.name }}"
    bad:
      needs: [good]
      stages:
        - name: Boom
          raise: "broken for \${{ params.name }}"
`;

async function setup(options: { traces?: MemoryTraceStore; runs?: MemoryRunStore } = {}) {
  const engine = await engineFor(YAML, { traces: options.traces ?? null, runs: options.runs });
  const api = createApi(engine, { prefix: "/api/v1", token: "", traces: options.traces });
  return { api, engine };
}

/** Resolves once `job` of any run has ended. */
function jobEnded(engine: Engine, job: string): Promise<void> {
  return new Promise((resolve) => {
    const off = onLifecycle(engine.events, (detail) => {
      if (detail.type === "job-end" && detail.job === job) {
        off();
        resolve();
      }
    });
  });
}

async function startAsync(api: WorkflowApi, workflow: string, params: Record<string, unknown>) {
  const response = await postJson(api, `/api/v1/workflows/${workflow}/execute`, {
    params,
    async: true,
  });
  assert.equal(response.status, 202);
  return (await response.json()).run_id as string;
}

async function errorOf(response: Response) {
  return (await response.json()).error as Record<string, unknown>;
}

describe("POST /runs/{run_id}/cancel", () => {
  it("cancels a running run: it ends CANCEL and keeps the job that had finished", async () => {
    const { api, engine } = await setup();
    const firstDone = jobEnded(engine, "first");
    const runId = await startAsync(api, "two-step", { name: "ann" });
    await firstDone;
    const response = await postJson(api, `/api/v1/runs/${runId}/cancel`, "");
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.run_id, runId);
    assert.equal(body.status, "CANCEL");
    assert.deepEqual(body.jobs, { first: "SUCCESS", second: "CANCEL" });
    assert.equal(body.context.jobs.first.status, "SUCCESS");
    const shown = await (await api.request(`/api/v1/runs/${runId}`)).json();
    assert.equal(shown.status, "CANCEL");
    await api.close();
  });

  it("answers 409 RunEnded, naming the status, for a run that already ended", async () => {
    const { api } = await setup();
    const runId = await startAsync(api, "half-broken", { name: "x" });
    await waitForRun(api, runId);
    const response = await postJson(api, `/api/v1/runs/${runId}/cancel`, {});
    assert.equal(response.status, 409);
    const error = await errorOf(response);
    assert.equal(error.name, "RunEnded");
    assert.equal(error.status, "FAILED");
    assert.match(String(error.message), /already ended with status FAILED/);
  });

  it("answers 404 for an unknown run and 400 for a malformed id", async () => {
    const { api } = await setup();
    const unknown = await postJson(api, "/api/v1/runs/no-such-run/cancel", {});
    assert.equal(unknown.status, 404);
    assert.match(String((await errorOf(unknown)).message), /run 'no-such-run' not found/);
    const bad = await postJson(api, "/api/v1/runs/..bad/cancel", {});
    assert.equal(bad.status, 400);
    assert.equal((await errorOf(bad)).field, "run_id");
  });

  it("answers 409 for runs known only from the trace store: ended, or running elsewhere", async () => {
    const traces = new MemoryTraceStore();
    await traces.write(runRecords("done-elsewhere", 1_000, { status: "SUCCESS" }));
    await traces.write(runRecords("running-elsewhere", 2_000, { end: false }));
    const { api } = await setup({ traces });
    const done = await postJson(api, "/api/v1/runs/done-elsewhere/cancel", {});
    assert.equal(done.status, 409);
    assert.equal((await errorOf(done)).name, "RunEnded");
    const running = await postJson(api, "/api/v1/runs/running-elsewhere/cancel", {});
    assert.equal(running.status, 409);
    const error = await errorOf(running);
    assert.equal(error.name, "RunNotHere");
    assert.match(String(error.message), /known only from the trace store/);
  });

  it("answers 409 for runs only the run store knows yet: another process's, ended or running", async () => {
    // A worker's run ends in the run store before its trace is written: cancel must not say 404.
    const runs = new MemoryRunStore();
    const owner = { id: "elsewhere:1" };
    const claim = { now: 1_000, leaseMs: 60_000 };
    const params = { name: "hunter2-param-value" };
    for (const runId of ["ended-elsewhere", "held-elsewhere"]) {
      await runs.enqueue({ runId, workflow: "two-step", params, labels: [], queuedAt: 1_000 });
      await runs.claim(runId, owner, claim);
    }
    await runs.finish("ended-elsewhere", 1, { status: "SUCCESS", now: 2_000 });
    const { api } = await setup({ runs });
    const done = await postJson(api, "/api/v1/runs/ended-elsewhere/cancel", {});
    assert.equal(done.status, 409);
    const ended = await errorOf(done);
    assert.equal(ended.name, "RunEnded");
    assert.equal(ended.status, "SUCCESS");
    const held = await postJson(api, "/api/v1/runs/held-elsewhere/cancel", {});
    assert.equal(held.status, 409);
    const error = await errorOf(held);
    assert.equal(error.name, "RunNotHere");
    assert.match(
      String(error.message),
      /belongs to another process \(the run store holds its record\)/,
    );
    const rerun = await postJson(api, "/api/v1/runs/ended-elsewhere/rerun", {});
    assert.equal(rerun.status, 409);
    assert.match(String((await errorOf(rerun)).message), /execute workflow 'two-step' again/);
    assert.equal((await runs.get("held-elsewhere"))?.state, "running", "nothing was changed");
    // The Location a queued cancel answers with can be polled before the trace is written.
    const shown = await api.request("/api/v1/runs/ended-elsewhere");
    assert.equal(shown.status, 200);
    const text = await shown.text();
    assert.doesNotMatch(text, /hunter2/, "a record's params are not shown");
    const row = JSON.parse(text);
    assert.equal(row.status, "SUCCESS");
    assert.equal(row.workflow, "two-step");
    assert.equal(row.source, "runs");
    assert.equal(row.duration_ms, 1_000);
    assert.equal((await (await api.request("/api/v1/runs/held-elsewhere")).json()).status, "WAIT");
    assert.equal((await api.request("/api/v1/runs/nowhere")).status, 404);
  });

  it("refuses a body with unknown fields and a POST without a JSON content type", async () => {
    const { api } = await setup();
    const runId = await startAsync(api, "two-step", {});
    const extra = await postJson(api, `/api/v1/runs/${runId}/cancel`, { force: true });
    assert.equal(extra.status, 400);
    assert.equal((await errorOf(extra)).field, "force");
    const plain = await api.request(`/api/v1/runs/${runId}/cancel`, { method: "POST" });
    assert.equal(plain.status, 415);
    await api.close({ graceMs: 0 });
  });
});

describe("POST /runs/{run_id}/rerun", () => {
  it("re-runs only what did not succeed by default, with the same params, linked to the old run", async () => {
    const { api } = await setup();
    const oldId = await startAsync(api, "half-broken", { name: "bea" });
    assert.equal((await waitForRun(api, oldId)).status, "FAILED");
    const response = await postJson(api, `/api/v1/runs/${oldId}/rerun`, {});
    assert.equal(response.status, 202);
    const accepted = await response.json();
    assert.notEqual(accepted.run_id, oldId);
    assert.equal(accepted.rerun_of, oldId);
    assert.equal(accepted.mode, "failed");
    assert.equal(response.headers.get("location"), `/api/v1/runs/${accepted.run_id}`);
    const rerun = await waitForRun(api, accepted.run_id);
    assert.equal(rerun.rerun_of, oldId);
    const context = rerun.context as {
      params: Record<string, unknown>;
      jobs: Record<string, { status: string; resumed_from?: string; errors?: { message: string } }>;
    };
    assert.equal(context.params.name, "bea");
    assert.equal(context.jobs.good.resumed_from, oldId);
    assert.equal(context.jobs.bad.resumed_from, undefined);
    assert.match(context.jobs.bad.errors?.message ?? "", /broken for bea/);
  });

  it("re-runs every job with mode all", async () => {
    const { api } = await setup();
    const oldId = await startAsync(api, "half-broken", { name: "cy" });
    await waitForRun(api, oldId);
    const response = await postJson(api, `/api/v1/runs/${oldId}/rerun`, { mode: "all" });
    assert.equal(response.status, 202);
    const accepted = await response.json();
    assert.equal(accepted.mode, "all");
    const rerun = await waitForRun(api, accepted.run_id);
    const jobs = (rerun.context as { jobs: Record<string, { resumed_from?: string }> }).jobs;
    assert.equal(jobs.good.resumed_from, undefined);
    assert.equal(rerun.rerun_of, oldId);
  });

  it("records the link in the trace store, so another server shows rerun_of too", async () => {
    const traces = new MemoryTraceStore();
    const { api, engine } = await setup({ traces });
    const oldId = await startAsync(api, "half-broken", { name: "di" });
    await waitForRun(api, oldId);
    const accepted = await (await postJson(api, `/api/v1/runs/${oldId}/rerun`, {})).json();
    await waitForRun(api, accepted.run_id);
    await engine.flush();
    const other = createApi(engine, { prefix: "/api/v1", token: "", traces });
    const shown = await (await other.request(`/api/v1/runs/${accepted.run_id}`)).json();
    assert.equal(shown.source, "traces");
    assert.equal(shown.rerun_of, oldId);
    const listed = await (await other.request("/api/v1/runs?workflow=half-broken")).json();
    assert.deepEqual(
      listed.runs.map((r: { run_id: string; rerun_of: string | null }) => [r.run_id, r.rerun_of]),
      [[accepted.run_id, oldId], [oldId, null]],
    );
  });

  it("answers 409 RunRunning while the old run is still running", async () => {
    const { api } = await setup();
    const runId = await startAsync(api, "two-step", {});
    const response = await postJson(api, `/api/v1/runs/${runId}/rerun`, {});
    assert.equal(response.status, 409);
    const error = await errorOf(response);
    assert.equal(error.name, "RunRunning");
    assert.match(String(error.message), /still running.*cancel it first/);
    await api.close({ graceMs: 0 });
  });

  it("answers 404 for an unknown run and 400 for an unknown mode", async () => {
    const { api } = await setup();
    const unknown = await postJson(api, "/api/v1/runs/missing/rerun", {});
    assert.equal(unknown.status, 404);
    const oldId = await startAsync(api, "half-broken", { name: "x" });
    await waitForRun(api, oldId);
    const bad = await postJson(api, `/api/v1/runs/${oldId}/rerun`, { mode: "some" });
    assert.equal(bad.status, 400);
    const error = await errorOf(bad);
    assert.equal(error.field, "mode");
    assert.match(String(error.message), /must be one of "failed", "all"/);
  });

  it("answers 409 RunNotHere for a run known only from the trace store, which keeps no params or context", async () => {
    const traces = new MemoryTraceStore();
    await traces.write(
      runRecords("stored-only", 1_000, { status: "FAILED", workflow: "two-step" }),
    );
    const { api } = await setup({ traces });
    const response = await postJson(api, "/api/v1/runs/stored-only/rerun", {});
    assert.equal(response.status, 409);
    const error = await errorOf(response);
    assert.equal(error.name, "RunNotHere");
    assert.match(String(error.message), /keeps neither its params nor its context.*two-step/);
  });
});

describe("run control in the OpenAPI document", () => {
  it("lists cancel and rerun with their bodies and errors", async () => {
    const { api } = await setup();
    const doc = await (await api.request("/api/v1/openapi.json")).json();
    const cancel = doc.paths["/api/v1/runs/{run_id}/cancel"].post;
    const rerun = doc.paths["/api/v1/runs/{run_id}/rerun"].post;
    assert.equal(cancel.operationId, "cancelRun");
    for (const status of ["200", "202", "404", "409", "415"]) {
      assert.ok(cancel.responses[status], `cancel documents ${status}`);
    }
    for (const status of ["202", "404", "409", "415"]) {
      assert.ok(rerun.responses[status], `rerun documents ${status}`);
    }
    assert.equal(rerun.operationId, "rerunRun");
    assert.deepEqual(
      rerun.requestBody.content["application/json"].schema.properties.mode.enum,
      ["failed", "all"],
    );
  });
});
