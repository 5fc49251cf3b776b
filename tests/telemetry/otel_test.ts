import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { SpanStatusCode } from "@opentelemetry/api";
import { engineFor } from "../_helpers.ts";
import { createApi } from "../../src/api/mod.ts";
import { Registry, tag } from "../../src/stages/registry.ts";
import { inMemoryTracing, parentId, spanNamed } from "./_otel.ts";

const YAML = `
child:
  type: Workflow
  jobs:
    inner:
      stages:
        - name: inner echo
          id: inner
          echo: hello from the child
parent:
  type: Workflow
  params:
    token: secret
  jobs:
    build:
      strategy:
        matrix:
          os: [linux, mac]
      stages:
        - name: compile \${{ matrix.os }}
          id: compile
          echo: compiling
    flaky:
      stages:
        - name: flaky
          id: flaky
          retry: {attempts: 2, delay: 0}
          bash: echo nope >&2; exit 3
    call-child:
      stages:
        - name: call child
          id: call-child
          trigger: child
    secretive:
      stages:
        - name: leak
          id: leak
          raise: token is \${{ params.token }}
`;

const ONE_ECHO =
  "tp:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - name: hi\n          echo: hi\n";

describe("OpenTelemetry spans", () => {
  let tracing: ReturnType<typeof inMemoryTracing>;
  before(() => {
    tracing = inMemoryTracing();
  });
  after(() => tracing.stop());

  it("a run with a matrix, a retried failing stage and a sub-workflow gives one span tree with the right parents, attributes and statuses", async () => {
    tracing.reset();
    const engine = await engineFor(YAML, { traces: null, audits: null });
    assert.equal(engine.telemetry, true);
    const result = await engine.execute("parent", { token: "hunter2-secret" });
    await engine.close();
    assert.equal(result.status, "FAILED");
    const spans = tracing.spans();

    const run = spanNamed(spans, "workflow parent");
    assert.equal(parentId(run), undefined);
    assert.equal(run.attributes["workflow.run_id"], result.runId);
    assert.equal(run.attributes["workflow.status"], "FAILED");
    assert.equal(run.status.code, SpanStatusCode.ERROR);
    assert.ok(spans.every((s) => s.spanContext().traceId === run.spanContext().traceId));

    const build = spanNamed(spans, "job build");
    assert.equal(parentId(build), run.spanContext().spanId);
    const strategies = spans.filter((s) => s.name === "strategy build");
    assert.deepEqual(strategies.map((s) => s.attributes["workflow.matrix.os"]).sort(), [
      "linux",
      "mac",
    ]);
    for (const strategy of strategies) {
      assert.equal(parentId(strategy), build.spanContext().spanId);
      const os = strategy.attributes["workflow.matrix.os"];
      const stage = spanNamed(spans, `stage compile ${os}`);
      assert.equal(parentId(stage), strategy.spanContext().spanId);
      assert.equal(stage.attributes["workflow.stage.kind"], "empty");
      assert.equal(
        stage.attributes["workflow.strategy.id"],
        strategy.attributes["workflow.strategy.id"],
      );
      assert.equal(stage.status.code, SpanStatusCode.OK);
    }

    const flaky = spanNamed(spans, "stage flaky");
    assert.equal(parentId(flaky), spanNamed(spans, "job flaky").spanContext().spanId);
    assert.equal(flaky.attributes["workflow.stage.kind"], "shell");
    assert.equal(flaky.attributes["workflow.stage.id"], "flaky");
    assert.equal(flaky.attributes["workflow.stage.attempts"], 2);
    assert.equal(flaky.attributes["workflow.status"], "FAILED");
    assert.equal(flaky.status.code, SpanStatusCode.ERROR);
    assert.match(flaky.status.message ?? "", /exited with code 3/);
    const exception = flaky.events.find((e) => e.name === "exception");
    assert.match(String(exception?.attributes?.["exception.message"]), /exited with code 3: nope/);
    const retry = flaky.events.find((e) => e.name === "log");
    assert.match(String(retry?.attributes?.["log.message"]), /attempt 1 of 2/);
    assert.equal(spanNamed(spans, "job flaky").status.code, SpanStatusCode.ERROR);

    const trigger = spanNamed(spans, "stage call child");
    const childRun = spanNamed(spans, "workflow child");
    assert.equal(parentId(childRun), trigger.spanContext().spanId);
    assert.equal(childRun.attributes["workflow.parent_run_id"], result.runId);
    assert.equal(childRun.status.code, SpanStatusCode.OK);
    const inner = spanNamed(spans, "stage inner echo");
    assert.equal(parentId(inner), spanNamed(spans, "job inner").spanContext().spanId);
    assert.equal(inner.attributes["workflow.run_id"], childRun.attributes["workflow.run_id"]);
  });

  it("span names and attributes show secrets masked", async () => {
    tracing.reset();
    const engine = await engineFor(YAML, { traces: null, audits: null });
    await engine.execute("parent", { token: "hunter2-secret" });
    await engine.close();
    const everything = JSON.stringify(
      tracing.spans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
    );
    assert.ok(!everything.includes("hunter2-secret"));
    const leak = spanNamed(tracing.spans(), "stage leak");
    const exception = leak.events.find((e) => e.name === "exception");
    assert.equal(exception?.attributes?.["exception.message"], "token is ***");
  });

  it("a shell stage sees its own span as TRACEPARENT", async () => {
    tracing.reset();
    const engine = await engineFor(
      `
tp:
  type: Workflow
  jobs:
    j:
      stages:
        - name: show
          id: show
          bash: echo "$TRACEPARENT"
`,
      { traces: null, audits: null },
    );
    const result = await engine.execute("tp");
    await engine.close();
    const stage = spanNamed(tracing.spans(), "stage show");
    const { traceId, spanId } = stage.spanContext();
    const jobs = result.context.jobs;
    assert.equal(jobs.j.stages?.show.outputs.stdout, `00-${traceId}-${spanId}-01`);
  });

  it("Python and JavaScript run stages and uses: tasks see their own span's traceparent", async () => {
    tracing.reset();
    const registry = new Registry().register("probe", {
      carrier: tag("v1")((_args, { traceparent }) => ({ traceparent: traceparent ?? "none" })),
    });
    const engine = await engineFor(
      `
tp:
  type: Workflow
  jobs:
    j:
      stages:
        - name: py
          id: py
          run: |
            import os
            seen = os.environ.get("TRACEPARENT", "none")
          lang: python
        - name: js
          id: js
          run: |
            return { seen: context.traceparent ?? "none" };
        - name: task
          id: task
          uses: probe/carrier@v1
`,
      { traces: null, audits: null, registry },
    );
    const result = await engine.execute("tp");
    await engine.close();
    assert.equal(result.status, "SUCCESS");
    const stages = result.context.jobs.j.stages ?? {};
    for (const [id, key] of [["py", "seen"], ["js", "seen"], ["task", "traceparent"]]) {
      const { traceId, spanId } = spanNamed(tracing.spans(), `stage ${id}`).spanContext();
      assert.equal(stages[id].outputs[key], `00-${traceId}-${spanId}-01`, `stage ${id}`);
    }
  });

  it("a run given a traceparent is a child of the caller's span", async () => {
    tracing.reset();
    const engine = await engineFor(
      `
tp:
  type: Workflow
  jobs:
    j:
      stages:
        - name: hi
          echo: hi
`,
      { traces: null, audits: null },
    );
    await engine.execute("tp", {}, {
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    });
    await engine.close();
    const run = spanNamed(tracing.spans(), "workflow tp");
    assert.equal(run.spanContext().traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert.equal(parentId(run), "00f067aa0ba902b7");
  });

  it("a traceparent header on an API execute makes the run span a child of the caller's span", async () => {
    tracing.reset();
    const engine = await engineFor(ONE_ECHO, { traces: null, audits: null });
    const api = createApi(engine);
    const response = await api.request("/api/v1/workflows/tp/execute", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      },
    });
    assert.equal(response.status, 200);
    await api.close();
    await engine.close();
    const run = spanNamed(tracing.spans(), "workflow tp");
    assert.equal(run.spanContext().traceId, "0af7651916cd43dd8448eb211c80319c");
    assert.equal(parentId(run), "b7ad6b7169203331");
    const paths = api.openApi().paths as Record<
      string,
      { post: { parameters: { name: string }[] } }
    >;
    assert.ok(
      paths["/api/v1/workflows/{name}/execute"].post.parameters.some((p) =>
        p.name === "traceparent"
      ),
    );
  });

  it("an API execute with an invalid traceparent starts a new trace", async () => {
    tracing.reset();
    const engine = await engineFor(ONE_ECHO, { traces: null, audits: null });
    const api = createApi(engine);
    await api.request("/api/v1/workflows/tp/execute", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        traceparent: "00-00000000000000000000000000000000-b7ad6b7169203331-01",
      },
    });
    await api.close();
    await engine.close();
    assert.equal(parentId(spanNamed(tracing.spans(), "workflow tp")), undefined);
  });

  it("telemetry: false builds no span even with a provider registered", async () => {
    tracing.reset();
    const engine = await engineFor(
      ONE_ECHO,
      { traces: null, audits: null, telemetry: false },
    );
    assert.equal(engine.telemetry, false);
    await engine.execute("tp");
    await engine.close();
    assert.deepEqual(tracing.spans(), []);
  });
});

describe("OpenTelemetry without a provider", () => {
  it("an engine subscribes nothing when no tracer provider is registered", async () => {
    const engine = await engineFor(
      ONE_ECHO,
      { traces: null, audits: null },
    );
    assert.equal(engine.telemetry, false);
    await engine.close();
  });

  it("without telemetry a shell stage still gets the caller's traceparent", async () => {
    const engine = await engineFor(
      'tp:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - name: s\n          id: s\n          bash: echo "$TRACEPARENT"\n',
      { traces: null, audits: null },
    );
    const caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const result = await engine.execute("tp", {}, { traceparent: caller });
    await engine.close();
    const jobs = result.context.jobs;
    assert.equal(jobs.j.stages?.s.outputs.stdout, caller);
  });

  it("WORKFLOW_LOG_OTEL that is not a boolean word is a clear error", async () => {
    const { runtimeWithEnv } = await import("../_helpers.ts");
    await assert.rejects(
      engineFor("{}", { runtime: runtimeWithEnv({ WORKFLOW_LOG_OTEL: "maybe" }) }),
      /WORKFLOW_LOG_OTEL must be true or false, got 'maybe'/,
    );
  });
});
