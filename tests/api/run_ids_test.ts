import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { postJson, waitForRun } from "./_fixture.ts";
import { createApi, type WorkflowApi } from "../../src/api/app.ts";
import { engineFor } from "../_helpers.ts";
import type { Engine } from "../../src/engine.ts";
import { FileTraceStore, runFolderName } from "../../src/results/file_trace_store.ts";
import type { TraceStore } from "../../src/results/trace_store.ts";
import { detectRuntime } from "../../src/runtime/mod.ts";

const runtime = detectRuntime();

const YAML = `
nightly-billing:
  type: Workflow
  jobs:
    bill:
      stages:
        - name: Charge
          raise: card declined
harmless:
  type: Workflow
  jobs:
    noop:
      stages:
        - name: Nothing
          echo: nothing to see
slow:
  type: Workflow
  jobs:
    wait:
      stages:
        - name: Nap
          sleep: 0.3
`;

interface ErrorJson {
  name: string;
  message: string;
  field?: string;
}

async function errorOf(response: Response): Promise<ErrorJson> {
  return (await response.json()).error;
}

describe("client run ids", () => {
  let dir: string;
  let engine: Engine;
  let api: WorkflowApi;
  let storedId: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "wf-run-ids-"));
    engine = await engineFor(YAML, {
      traces: new FileTraceStore(runtime.fs, join(dir, "logs")),
      audits: null,
    });
    api = createApi(engine, { token: "", prefix: "/api/v1", enableJobExecute: true });
    // A run recorded earlier (by the CLI or the scheduler), with an id the engine made.
    const stored = await engine.execute("nightly-billing");
    assert.equal(stored.status, "FAILED");
    storedId = stored.runId;
    await engine.flush();
  });
  after(async () => {
    await api.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses the id of a stored run with 409, and the stored run keeps its history", async () => {
    const traceFile = join(dir, "logs", runFolderName(storedId), "trace.jsonl");
    const before = readFileSync(traceFile, "utf8");
    for (const async of [false, true]) {
      const response = await postJson(api, "/api/v1/workflows/harmless/execute", {
        run_id: storedId,
        async,
      });
      assert.equal(response.status, 409, `async: ${async}`);
      const error = await errorOf(response);
      assert.equal(error.name, "RunIdError");
      assert.equal(error.field, "run_id");
      assert.match(error.message, new RegExp(`'${storedId}' already exists`));
    }
    const job = await postJson(api, "/api/v1/job/execute", {
      job: { stages: [{ name: "Say", echo: "hi" }] },
      run_id: storedId,
    });
    assert.equal(job.status, 409);
    await job.body?.cancel();
    await engine.flush();
    assert.equal(readFileSync(traceFile, "utf8"), before, "nothing was appended");
    const run = await (await api.request(`/api/v1/runs/${storedId}`)).json();
    assert.equal(run.workflow, "nightly-billing");
    assert.equal(run.status, "FAILED");
  });

  it("refuses the id of a run in flight with 409", async () => {
    const first = await postJson(api, "/api/v1/workflows/slow/execute", {
      run_id: "slow-1",
      async: true,
    });
    assert.equal(first.status, 202);
    await first.body?.cancel();
    const again = await postJson(api, "/api/v1/workflows/harmless/execute", { run_id: "slow-1" });
    assert.equal(again.status, 409);
    assert.equal((await errorOf(again)).field, "run_id");
    assert.equal((await waitForRun(api, "slow-1")).workflow, "slow");
  });

  it("refuses a malformed run id with 400 naming the field, before anything runs", async () => {
    const cases: [string, RegExp][] = [
      ["a".repeat(5000), /at most 128 characters, got 5000/],
      ["../../etc", /must match/],
      ["has space", /must match/],
      ["", /must match/],
      ["-leading-dash", /must match/],
      ["ünïcode", /must match/],
    ];
    const count = async () => (await (await api.request("/api/v1/runs")).json()).runs.length;
    const runsBefore = await count();
    for (const [runId, message] of cases) {
      const response = await postJson(api, "/api/v1/workflows/harmless/execute", {
        run_id: runId,
      });
      assert.equal(response.status, 400, runId.slice(0, 20));
      const error = await errorOf(response);
      assert.equal(error.field, "run_id");
      assert.match(error.message, message);
    }
    const parent = await postJson(api, "/api/v1/job/execute", {
      job: { stages: [{ name: "Say", echo: "hi" }] },
      parent_run_id: "x".repeat(200),
    });
    assert.equal(parent.status, 400);
    assert.equal((await errorOf(parent)).field, "parent_run_id");
    assert.equal(await count(), runsBefore, "nothing ran");
  });

  it("accepts a new id in the documented format, and the engine's own ids", async () => {
    for (const runId of ["nightly-2024.01_retry-2", engine.newRunId("harmless")]) {
      const response = await postJson(api, "/api/v1/workflows/harmless/execute", {
        run_id: runId,
      });
      assert.equal(response.status, 200, runId);
      const body = await response.json();
      assert.equal(body.run_id, runId);
      assert.equal(body.status, "SUCCESS");
    }
  });

  it("answers GET /runs/{id} for a malformed id with 400, not a store error", async () => {
    for (const path of ["", "/traces", "/events"]) {
      const response = await api.request(`/api/v1/runs/${"a".repeat(5000)}${path}`);
      assert.equal(response.status, 400, path);
      const text = await response.text();
      assert.match(text, /"field":"run_id"/);
      assert.equal(text.includes(dir), false);
    }
  });
});

/** A trace store whose writes fail the way a full or read-only disk fails. */
function brokenStore(): TraceStore {
  return {
    write: () =>
      Promise.reject(
        new Error("EACCES: permission denied, open '/srv/workflow/logs/run_id=x/trace.jsonl'"),
      ),
    listRuns: () => Promise.resolve([]),
    getTrace: () => Promise.resolve(null),
    cleanup: () => Promise.resolve(0),
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

describe("a trace store that cannot write", () => {
  it("fails the run it lost records of: FAILED with a StoreError, in the response and the run", async () => {
    const engine = await engineFor(YAML, { traces: brokenStore(), audits: null });
    const api = createApi(engine, { token: "", prefix: "/api/v1" });
    const response = await postJson(api, "/api/v1/workflows/harmless/execute", {});
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.status, "FAILED");
    assert.equal(body.context.errors.name, "StoreError");
    assert.match(body.context.errors.message, /trace store could not write the records of run/);
    assert.match(body.context.errors.message, /permission denied/);
    assert.doesNotMatch(JSON.stringify(body), /\/srv\/workflow/, "no server path");
    const run = await (await api.request(`/api/v1/runs/${body.run_id}`)).json();
    assert.equal(run.status, "FAILED");
    assert.equal(run.error.name, "StoreError");

    const accepted = await (await postJson(api, "/api/v1/workflows/harmless/execute", {
      async: true,
    })).json();
    const ended = await waitForRun(api, accepted.run_id);
    assert.equal(ended.status, "FAILED");
    await api.close();
    await engine.close().catch(() => {}); // close() reports the write error once more
  });
});
