import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifecycleBus, mayListen } from "../../src/executor/events.ts";
import { MemoryTraceStore } from "../../src/results/memory_trace_store.ts";
import type { TraceRecord } from "../../src/results/trace_store.ts";
import { ConfigError } from "../../src/errors.ts";
import { engineFor, runtimeWithEnv } from "../_helpers.ts";

const WORKFLOW = `
levels:
  type: Workflow
  params: { nap: { type: int, default: 0 } }
  jobs:
    j:
      stages:
        - name: greet
          echo: "hello"
        - name: check
          run: "return { ok: true };"
        - name: skipped
          if: "\${{ params.nap > 5 }}"
          echo: "never"
        - name: nap
          sleep: "\${{ params.nap }}"
`;

const lines = (records: TraceRecord[] | null) =>
  (records ?? []).map((r) => `${r.level} ${r.message.replace(/ in \d+ ms/, "")}`);

async function traceOf(
  params: Record<string, unknown>,
  options: { traceLevel?: "debug" | "info"; env?: Record<string, string> } = {},
) {
  const traces = new MemoryTraceStore();
  const engine = await engineFor(WORKFLOW, {
    traces,
    audits: null,
    traceLevel: options.traceLevel,
    ...(options.env ? { runtime: runtimeWithEnv(options.env) } : {}),
  });
  try {
    const result = await engine.execute(engine.workflow("levels"), params);
    await engine.flush();
    return { status: result.status, lines: lines(await traces.getTrace(result.runId)) };
  } finally {
    await engine.close();
  }
}

describe("trace levels", () => {
  it("at the default level keeps an echo stage's own line but not its start and end", async () => {
    const { status, lines } = await traceOf({});
    assert.equal(status, "SUCCESS");
    assert.deepEqual(lines, [
      "info [WORKFLOW]: Start 'levels'",
      "info [JOB]: Start 'j'",
      "info [STAGE]: Echo 'greet': hello",
      "info [STAGE]: Start 'check'",
      "info [STAGE]: End 'check' SUCCESS",
      "info [STAGE]: Skip 'skipped': condition is false",
      "info [JOB]: End 'j' SUCCESS",
      "info [WORKFLOW]: End 'levels' SUCCESS",
    ]);
  });

  it("still records the end of an echo/sleep stage that fails, as an error", async () => {
    const { status, lines } = await traceOf({ nap: -1 });
    assert.equal(status, "FAILED");
    const errors = lines.filter((line) => line.startsWith("error "));
    assert.equal(errors.length, 3, lines.join("\n"));
    assert.match(errors[0], /^error \[STAGE\]: End 'nap' FAILED: StageError: sleep must be/);
    assert.ok(!lines.some((line) => line.includes("Start 'greet'")));
  });

  it("at debug (option or WORKFLOW_LOG_TRACE_LEVEL) adds every stage's start and end", async () => {
    for (
      const options of [{ traceLevel: "debug" as const }, {
        env: { WORKFLOW_LOG_TRACE_LEVEL: "DEBUG" },
      }]
    ) {
      const { lines } = await traceOf({}, options);
      assert.ok(lines.includes("debug [STAGE]: Start 'greet'"), lines.join("\n"));
      assert.ok(lines.includes("debug [STAGE]: End 'greet' SUCCESS"), lines.join("\n"));
      assert.ok(lines.includes("info [STAGE]: End 'check' SUCCESS"), lines.join("\n"));
    }
  });

  it("rejects an unknown WORKFLOW_LOG_TRACE_LEVEL naming the variable and the choices", async () => {
    await assert.rejects(
      engineFor(WORKFLOW, {
        traces: new MemoryTraceStore(),
        runtime: runtimeWithEnv({ WORKFLOW_LOG_TRACE_LEVEL: "verbose" }),
      }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /WORKFLOW_LOG_TRACE_LEVEL/.test(error.message) &&
        /'verbose' is not a trace level: use debug, info, warning or error/.test(error.message),
    );
  });
});

describe("LifecycleBus levels", () => {
  it("tells the executor nobody wants events below every subscriber's level", () => {
    const bus = new LifecycleBus();
    assert.equal(mayListen(bus, "stage-start", "debug"), false);
    const off = bus.subscribe(() => {}, "info");
    assert.equal(mayListen(bus, "stage-start", "debug"), false);
    assert.equal(mayListen(bus, "stage-end", "info"), true);
    assert.equal(mayListen(bus, "stage-end", "error"), true);
    const offAll = bus.subscribe(() => {});
    assert.equal(mayListen(bus, "stage-start", "debug"), true);
    offAll();
    assert.equal(mayListen(bus, "stage-start", "debug"), false);
    off();
    assert.equal(mayListen(bus, "stage-end", "error"), false);
    const handler = () => {};
    bus.addEventListener("stage-start", handler);
    assert.equal(mayListen(bus, "stage-start", "debug"), true, "plain listeners get everything");
    bus.removeEventListener("stage-start", handler);
  });

  it("delivers to a subscriber only the events at or above its level", () => {
    const bus = new LifecycleBus();
    const seen: string[] = [];
    bus.subscribe((detail) => seen.push(`${detail.type}:${detail.level ?? "-"}`), "info");
    const base = { runId: "r", workflow: "w", time: 0 };
    bus.publish({ ...base, type: "stage-start", level: "debug" });
    bus.publish({ ...base, type: "log", level: "info", message: "hi" });
    bus.publish({ ...base, type: "stage-end", status: "FAILED" });
    bus.publish({ ...base, type: "stage-end", status: "SUCCESS", level: "debug" });
    assert.deepEqual(seen, ["log:info", "stage-end:-"]);
  });
});
