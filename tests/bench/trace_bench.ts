// Benchmark: the cost of tracing 1,000 stage start/end pairs through attachTraces into the
// file store, against dispatching the same events with no listener. Plain script; run with
// `deno run -A`, `bun` or `node --import tsx`. Prints one JSON line per case.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LifecycleEvent } from "../../src/executor/events.ts";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { FileTraceStore } from "../../src/results/file_trace_store.ts";
import { MemoryTraceStore } from "../../src/results/memory_trace_store.ts";
import type { TraceStore } from "../../src/results/trace_store.ts";
import { attachTraces } from "../../src/results/trace_writer.ts";

const PAIRS = 1_000;
const ROUNDS = 7;
const runtime = detectRuntime();

function dispatchRun(target: EventTarget, runId: string): void {
  const base = { runId, workflow: "bench" };
  target.dispatchEvent(new LifecycleEvent({ ...base, type: "run-start", time: 0 }));
  for (let i = 0; i < PAIRS; i++) {
    const stage = `stage-${i}`;
    target.dispatchEvent(
      new LifecycleEvent({ ...base, type: "stage-start", time: i, job: "j", stage }),
    );
    target.dispatchEvent(
      new LifecycleEvent({
        ...base,
        type: "stage-end",
        time: i,
        job: "j",
        stage,
        status: "SUCCESS",
        durationMs: 0,
      }),
    );
  }
  target.dispatchEvent(
    new LifecycleEvent({
      ...base,
      type: "run-end",
      time: PAIRS,
      status: "SUCCESS",
      durationMs: PAIRS,
    }),
  );
}

async function measure(makeStore: ((round: number) => TraceStore) | null): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const target = new EventTarget();
    const started = performance.now();
    if (makeStore) {
      const traces = attachTraces(target, makeStore(round));
      dispatchRun(target, `run-${round}`);
      await traces.detach();
    } else {
      dispatchRun(target, `run-${round}`);
    }
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const dir = mkdtempSync(join(tmpdir(), "wf-trace-bench-"));
try {
  // Warm up every path once so the JIT does not bill the first case measured.
  await measure(null);
  await measure(() => new MemoryTraceStore());
  await measure(() => new FileTraceStore(runtime.fs, dir));
  const baselineMs = await measure(null);
  const memoryMs = await measure(() => new MemoryTraceStore());
  const fileMs = await measure(() => new FileTraceStore(runtime.fs, dir));
  const line = (store: string, tracedMs: number) =>
    JSON.stringify({
      case: "k-traces-writer",
      runtime: runtime.name,
      store,
      pairs: PAIRS,
      rounds: ROUNDS,
      baselineMs: Number(baselineMs.toFixed(3)),
      tracedMs: Number(tracedMs.toFixed(3)),
      overheadPerStageUs: Number((((tracedMs - baselineMs) / PAIRS) * 1_000).toFixed(2)),
    });
  console.log(line("memory", memoryMs));
  console.log(line("file", fileMs));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
