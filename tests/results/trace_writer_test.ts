import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type LifecycleDetail, LifecycleEvent } from "../../src/executor/events.ts";
import { FakeClock } from "../../src/runtime/fake_clock.ts";
import { MemoryTraceStore } from "../../src/results/memory_trace_store.ts";
import type { TraceRecord, TraceStore } from "../../src/results/trace_store.ts";
import { attachTraces, lifecycleToTraceRecord } from "../../src/results/trace_writer.ts";
import { withoutUndefined } from "../../src/results/trace_store.ts";
import { Masker } from "../../src/util/mask.ts";

const base = { runId: "run-1", workflow: "etl" };
const emit = (target: EventTarget, detail: Omit<LifecycleDetail, "runId" | "workflow">) =>
  target.dispatchEvent(new LifecycleEvent({ ...base, ...detail }));

/** A store that counts write() calls. */
class CountingStore extends MemoryTraceStore {
  writes = 0;
  override write(records: readonly TraceRecord[]): Promise<void> {
    this.writes++;
    return super.write(records);
  }
}

describe("lifecycleToTraceRecord()", () => {
  it("words lifecycle edges as [WORKFLOW]/[JOB]/[STRATEGY]/[STAGE] start and end lines", () => {
    const message = (detail: Omit<LifecycleDetail, "runId" | "workflow">) =>
      lifecycleToTraceRecord({ ...base, ...detail }).message;
    assert.equal(message({ type: "run-start", time: 0 }), "[WORKFLOW]: Start 'etl'");
    assert.equal(message({ type: "job-start", time: 0, job: "extract" }), "[JOB]: Start 'extract'");
    assert.equal(
      message({
        type: "strategy-end",
        time: 0,
        job: "extract",
        strategy: "2a1b",
        status: "SUCCESS",
        durationMs: 4,
      }),
      "[STRATEGY]: End 'extract' strategy '2a1b' SUCCESS in 4 ms",
    );
    assert.equal(
      message({ type: "stage-start", time: 0, stage: "greet-id", stageName: "greet" }),
      "[STAGE]: Start 'greet'",
    );
    assert.equal(
      message({ type: "stage-end", time: 0, stage: "greet", status: "SUCCESS", durationMs: 3.4 }),
      "[STAGE]: End 'greet' SUCCESS in 3 ms",
    );
  });

  it("makes failed ends errors naming the error, cancelled ends warnings", () => {
    const failed = lifecycleToTraceRecord({
      ...base,
      type: "job-end",
      time: 5,
      job: "load",
      status: "FAILED",
      durationMs: 12,
      error: { name: "StageError", message: "exit code 2" },
    });
    assert.equal(failed.level, "error");
    assert.equal(failed.message, "[JOB]: End 'load' FAILED in 12 ms: StageError: exit code 2");
    assert.equal(failed.event, "job-end");
    assert.equal(failed.status, "FAILED");
    const cancelled = lifecycleToTraceRecord({
      ...base,
      type: "run-end",
      time: 5,
      status: "CANCEL",
    });
    assert.equal(cancelled.level, "warning");
  });

  it("keeps the level and message of log events and records no event type for them", () => {
    const rec = lifecycleToTraceRecord({
      ...base,
      type: "log",
      time: 9,
      level: "warning",
      message: "disk almost full",
      job: "j",
      stage: "s",
    });
    assert.deepEqual(withoutUndefined(rec), {
      time: 9,
      level: "warning",
      runId: "run-1",
      workflow: "etl",
      job: "j",
      stage: "s",
      message: "disk almost full",
    });
  });
});

describe("attachTraces()", () => {
  it("buffers records and writes them in one batch at run end", async () => {
    const target = new EventTarget();
    const store = new CountingStore();
    const traces = attachTraces(target, store);
    emit(target, { type: "run-start", time: 1 });
    for (let i = 0; i < 10; i++) {
      emit(target, { type: "stage-start", time: 2, stage: `s${i}` });
      emit(target, {
        type: "stage-end",
        time: 3,
        stage: `s${i}`,
        status: "SUCCESS",
        durationMs: 1,
      });
    }
    assert.equal(store.writes, 0);
    emit(target, { type: "run-end", time: 4, status: "SUCCESS", durationMs: 3 });
    await traces.flush();
    assert.equal(store.writes, 1);
    assert.equal((await store.getTrace("run-1"))?.length, 22);
    assert.deepEqual((await store.listRuns())[0], {
      runId: "run-1",
      workflow: "etl",
      status: "SUCCESS",
      start: 1,
      end: 4,
      durationMs: 3,
    });
    await traces.detach();
  });

  it("prints each line to the console callback at once, and drops lines below minLevel", async () => {
    const target = new EventTarget();
    const lines: string[] = [];
    const store = new MemoryTraceStore();
    const traces = attachTraces(target, store, {
      console: (line) => lines.push(line),
      minLevel: "info",
    });
    emit(target, { type: "log", time: Date.UTC(2024, 0, 1), level: "debug", message: "noise" });
    emit(target, { type: "log", time: Date.UTC(2024, 0, 1), level: "info", message: "hello" });
    assert.deepEqual(lines, ["2024-01-01 00:00:00.000 INFO    (run-1) hello"]);
    await traces.detach();
    assert.deepEqual((await store.getTrace("run-1"))?.map((r) => r.message), ["hello"]);
  });

  it("flushes when the buffer fills, on the clock's interval, and on detach", async () => {
    const target = new EventTarget();
    const store = new CountingStore();
    const clock = new FakeClock(0);
    const traces = attachTraces(target, store, {
      clock,
      flushIntervalMs: 1_000,
      maxBufferedRecords: 3,
    });
    for (let i = 0; i < 3; i++) {
      emit(target, { type: "log", time: i, level: "info", message: `m${i}` });
    }
    await store.flush();
    await traces.flush();
    assert.equal(store.writes, 1);
    emit(target, { type: "log", time: 5, level: "info", message: "later" });
    await clock.advance(1_000);
    await traces.flush();
    assert.equal(store.writes, 2);
    emit(target, { type: "log", time: 6, level: "info", message: "last" });
    await traces.detach();
    assert.equal(store.writes, 3);
    emit(target, { type: "log", time: 7, level: "info", message: "after detach" });
    await traces.flush();
    assert.deepEqual((await store.getTrace("run-1"))?.map((r) => r.message), [
      "m0",
      "m1",
      "m2",
      "later",
      "last",
    ]);
  });

  it("masks secrets registered with the masker in every message", async () => {
    const target = new EventTarget();
    const masker = new Masker();
    masker.add("s3cr3t-token");
    const lines: string[] = [];
    const store = new MemoryTraceStore();
    const traces = attachTraces(target, store, { masker, console: (line) => lines.push(line) });
    emit(target, { type: "log", time: 0, level: "info", message: "curl -H 'Bearer s3cr3t-token'" });
    await traces.detach();
    assert.equal((await store.getTrace("run-1"))?.[0].message, "curl -H 'Bearer ***'");
    assert.match(lines[0], /Bearer \*\*\*'$/);
  });

  it("reports a failed background write on the next flush() and to onError", async () => {
    const target = new EventTarget();
    const broken: TraceStore = Object.assign(new MemoryTraceStore(), {
      write: () => Promise.reject(new Error("disk full")),
    });
    const errors: unknown[] = [];
    const traces = attachTraces(target, broken, { onError: (error) => errors.push(error) });
    emit(target, { type: "run-start", time: 0 });
    emit(target, { type: "run-end", time: 1, status: "SUCCESS" });
    await assert.rejects(traces.flush(), /disk full/);
    assert.equal(errors.length, 1);
    await traces.flush(); // the error is reported once
    await traces.detach();
  });

  it("with a null store only prints to the console", async () => {
    const target = new EventTarget();
    const lines: string[] = [];
    const traces = attachTraces(target, null, { console: (line) => lines.push(line) });
    emit(target, { type: "job-start", time: 0, job: "extract" });
    await traces.detach();
    assert.equal(lines.length, 1);
    assert.match(lines[0], /\[JOB\]: Start 'extract'$/);
  });
});
