import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { captureEvents, driveClock, engineFor, fakeClockEngine } from "./_helpers.ts";
import { RunIdError, StoreError } from "../src/errors.ts";
import { MAX_RUN_ID_LENGTH, newRunId, runIdProblem } from "../src/executor/ids.ts";
import { MemoryTraceStore } from "../src/results/memory_trace_store.ts";
import type { TraceStore } from "../src/results/trace_store.ts";

const YAML = `
hello:
  type: Workflow
  jobs:
    say:
      stages:
        - name: Say
          echo: hi
nap:
  type: Workflow
  jobs:
    wait:
      stages:
        - name: Nap
          sleep: 0.2
`;

function isRunIdError(reason: "invalid" | "taken", option = "runId") {
  return (error: unknown) =>
    error instanceof RunIdError && error.reason === reason && error.option === option;
}

describe("run ids", () => {
  it("runIdProblem() accepts the engine's ids and 128 safe characters, and names what is wrong", () => {
    assert.equal(runIdProblem(newRunId(Date.UTC(2024, 0, 1), "x")), undefined);
    assert.equal(runIdProblem("a".repeat(MAX_RUN_ID_LENGTH)), undefined);
    assert.equal(runIdProblem("nightly-2024.01_b"), undefined);
    assert.match(runIdProblem("a".repeat(129))!, /got 129 characters/);
    for (const bad of ["", ".hidden", "..", "a/b", "a\\\\b", "a b", "é", "a\u0000"]) {
      assert.match(runIdProblem(bad)!, /letters, digits/, JSON.stringify(bad));
    }
  });

  it("Engine.execute() refuses a malformed runId or parentRunId before anything runs", async () => {
    const { target, events } = captureEvents();
    const engine = await engineFor(YAML, { traces: null, audits: null });
    await assert.rejects(
      engine.execute("hello", {}, { runId: "x".repeat(5000), events: target }),
      isRunIdError("invalid"),
    );
    await assert.rejects(
      engine.execute("hello", {}, { runId: "ok-1", parentRunId: "../x", events: target }),
      isRunIdError("invalid", "parentRunId"),
    );
    assert.deepEqual(events, []);
    await engine.close();
  });

  it("Engine.execute() refuses the id of a stored run and of a run in flight", async () => {
    const traces = new MemoryTraceStore();
    // On the fake clock the nap run stays in flight until the test moves time on.
    const { engine, runtime } = await fakeClockEngine(YAML, { traces, audits: null });
    const first = await engine.execute("hello", {}, { runId: "daily-1" });
    assert.equal(first.runId, "daily-1");
    await engine.flush();
    await assert.rejects(engine.execute("nap", {}, { runId: "daily-1" }), isRunIdError("taken"));
    await assert.rejects(engine.checkRunId("daily-1"), isRunIdError("taken"));

    const running = engine.execute("nap", {}, { runId: "nap-1" });
    await assert.rejects(engine.execute("hello", {}, { runId: "nap-1" }), isRunIdError("taken"));
    const state = await Promise.race([running.then(() => "ended"), Promise.resolve("in flight")]);
    assert.equal(state, "in flight", "nap-1 was still running when its id was refused");
    assert.equal((await driveClock(runtime.clock, running)).status, "SUCCESS");
    const stored = (await traces.listRuns()).map((r) => `${r.runId}:${r.workflow}:${r.status}`);
    assert.deepEqual(stored.sort(), ["daily-1:hello:SUCCESS", "nap-1:nap:SUCCESS"]);
    await engine.close();
  });

  it("looks a run id up in the trace store only when the caller chose it", async () => {
    const traces = new MemoryTraceStore();
    let lookups = 0;
    const counting: TraceStore = Object.assign(Object.create(traces), {
      getTrace(runId: string) {
        lookups++;
        return traces.getTrace(runId);
      },
      write: (records: Parameters<TraceStore["write"]>[0]) => traces.write(records),
    });
    const engine = await engineFor(YAML, { traces: counting, audits: null });
    await engine.execute("hello");
    await engine.execute("hello", {}, { runId: engine.newRunId("hello") });
    assert.equal(lookups, 0);
    await engine.execute("hello", {}, { runId: "mine-1" });
    assert.equal(lookups, 1);
    await engine.close();
  });

  it("Engine.tracesWritten() reports a store that could not write as a StoreError naming the run", async () => {
    const failing: TraceStore = {
      write: () => Promise.reject(new Error("ENOSPC: no space left on device")),
      listRuns: () => Promise.resolve([]),
      getTrace: () => Promise.resolve(null),
      cleanup: () => Promise.resolve(0),
      flush: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const engine = await engineFor(YAML, { traces: failing, audits: null });
    const result = await engine.execute("hello");
    await assert.rejects(
      engine.tracesWritten(result.runId),
      (error: unknown) =>
        error instanceof StoreError && error.message.includes(result.runId) &&
        /ENOSPC/.test(error.message),
    );
    // Reported once: a second ask, or one about a run written fine, resolves.
    await engine.tracesWritten(result.runId);
    await engine.close().catch(() => {});
    const fine = await engineFor(YAML, { traces: new MemoryTraceStore(), audits: null });
    await fine.tracesWritten((await fine.execute("hello")).runId);
    await fine.close();
  });
});
