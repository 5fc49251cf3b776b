import { describe, it } from "node:test";
import assert from "node:assert/strict";
import parsePrometheus from "parse-prometheus-text-format";
import { engineFor } from "../_helpers.ts";
import { createApi } from "../../src/api/mod.ts";
import { WorkflowMetrics } from "../../src/telemetry/metrics.ts";
import { RELEASE_EVENT, SchedulerEvent } from "../../src/scheduler/decisions.ts";
import { MemoryTraceStore } from "../../src/results/memory_trace_store.ts";

/** One sample as parse-prometheus-text-format returns it (prom2json shape). */
interface Sample {
  readonly labels?: Record<string, string>;
  readonly value?: string;
  readonly count?: string;
  readonly sum?: string;
  readonly buckets?: Record<string, string>;
}
interface Family {
  readonly name: string;
  readonly type: string;
  readonly metrics: readonly Sample[];
}
const parse = parsePrometheus as unknown as (text: string) => Family[];

function family(families: readonly Family[], name: string): Family {
  const found = families.find((f) => f.name === name);
  assert.ok(found, `no metric ${name}; have ${families.map((f) => f.name).join(", ")}`);
  return found;
}

function sample(families: readonly Family[], name: string, labels: Record<string, string>) {
  return family(families, name).metrics.find((m) =>
    Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)
  );
}

const YAML = `
ok:
  type: Workflow
  jobs:
    j:
      stages:
        - name: run it
          id: s
          bash: "true"
bad:
  type: Workflow
  jobs:
    j:
      stages:
        - name: fail
          id: f
          raise: nope
`;

describe("GET /metrics", () => {
  it("parses as Prometheus text and its counters match the runs executed", async () => {
    const engine = await engineFor(YAML, { audits: null, traces: new MemoryTraceStore() });
    const api = createApi(engine, { token: "t0k" });
    const auth = { authorization: "Bearer t0k" };
    for (const name of ["ok", "ok", "bad"]) {
      const response = await api.request(`/api/v1/workflows/${name}/execute`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
      });
      assert.equal(response.status, 200);
    }
    const response = await api.request("/metrics", { headers: auth });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const families = parse(text);

    assert.equal(family(families, "workflow_runs_started_total").type, "COUNTER");
    assert.equal(sample(families, "workflow_runs_started_total", { workflow: "ok" })?.value, "2");
    assert.equal(sample(families, "workflow_runs_started_total", { workflow: "bad" })?.value, "1");
    assert.equal(
      sample(families, "workflow_runs_ended_total", { workflow: "ok", status: "SUCCESS" })?.value,
      "2",
    );
    assert.equal(
      sample(families, "workflow_runs_ended_total", { workflow: "bad", status: "FAILED" })?.value,
      "1",
    );
    assert.equal(sample(families, "workflow_runs_in_progress", { workflow: "ok" })?.value, "0");
    assert.equal(family(families, "workflow_run_duration_seconds").type, "HISTOGRAM");
    assert.equal(family(families, "workflow_stage_duration_seconds").type, "HISTOGRAM");
    // The parser folds every series of a histogram into one, so labelled series are read here.
    assert.match(
      text,
      /^workflow_run_duration_seconds_count\{workflow="ok",status="SUCCESS"\} 2$/m,
    );
    assert.match(
      text,
      /^workflow_run_duration_seconds_bucket\{workflow="bad",status="FAILED",le="\+Inf"\} 1$/m,
    );
    assert.match(
      text,
      /^workflow_stage_duration_seconds_count\{workflow="ok",kind="shell",status="SUCCESS"\} 2$/m,
    );
    assert.equal(family(families, "workflow_trace_writer_backlog").type, "GAUGE");
    await api.close();
    await engine.close();
  });

  it("needs the bearer token when one is set", async () => {
    const engine = await engineFor(YAML, { audits: null, traces: null });
    const api = createApi(engine, { token: "t0k" });
    assert.equal((await api.request("/metrics")).status, 401);
    await api.close();
    await engine.close();
  });

  it("is in the OpenAPI document at the root path", async () => {
    const engine = await engineFor(YAML, { audits: null, traces: null });
    const api = createApi(engine);
    const paths = api.openApi().paths as Record<string, Record<string, { operationId: string }>>;
    assert.equal(paths["/metrics"].get.operationId, "metrics");
    await api.close();
    await engine.close();
  });
});

describe("WorkflowMetrics", () => {
  it("escapes label values so a parser reads them back unchanged", () => {
    const metrics = new WorkflowMetrics();
    const name = 'we"ird\\name\nhere';
    metrics.observe({ type: "run-start", time: 0, runId: "r", workflow: name });
    const families = parse(metrics.render());
    assert.equal(sample(families, "workflow_runs_started_total", { workflow: name })?.value, "1");
  });

  it("records the scheduler's lag between a release's fire time and its start", () => {
    const metrics = new WorkflowMetrics();
    const events = new EventTarget();
    const detach = metrics.attach(events);
    events.dispatchEvent(
      new SchedulerEvent(RELEASE_EVENT, {
        alias: "a",
        workflow: "w",
        logicalTime: 60_000,
        status: "SUCCESS",
        startedAt: 62_500,
        endedAt: 63_000,
      }),
    );
    detach();
    const lag = family(parse(metrics.render()), "workflow_scheduler_release_lag_seconds");
    assert.equal(lag.metrics[0].count, "1");
    assert.equal(lag.metrics[0].sum, "2.5");
    assert.equal(lag.metrics[0].buckets?.["5"], "1");
    assert.equal(lag.metrics[0].buckets?.["1"], "0");
  });
});
