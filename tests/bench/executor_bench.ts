/**
 * Executor benchmarks: a-stages, b-jobs, c-matrix, d-chain, i-matrix-10k and
 * k-traces. Run: `deno run -A tests/bench/executor_bench.ts [case…]`,
 * `bun tests/bench/executor_bench.ts`, `node --import tsx tests/bench/executor_bench.ts`.
 */
import process from "node:process";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { buildWorkflow, indexConfig } from "../../src/config/loader.ts";
import { Engine } from "../../src/engine.ts";
import { FileTraceStore } from "../../src/results/file_trace_store.ts";
import type { Workflow } from "../../src/models/types.ts";
import { measure } from "./_measure.ts";

const runtime = detectRuntime();
const wanted = new Set(process.argv.slice(2));
const want = (name: string) => wanted.size === 0 || wanted.has(name);

function stages(n: number) {
  return Array.from(
    { length: n },
    (_, i) => ({ name: `s${i}`, id: `s${i}`, echo: "x ${{ params.p }}" }),
  );
}

async function run(engine: Engine, wf: Workflow, expect = "SUCCESS") {
  const result = await engine.execute(wf, { p: "v" });
  if (result.status !== expect) {
    throw new Error(`${wf.name} ended ${result.status}: ${JSON.stringify(result.context.errors)}`);
  }
}

const engine = await Engine.create({
  runtime,
  config: indexConfig([]),
  traces: null,
  audits: null,
  settings: { maxCombinations: 20_000 },
});
const params = { p: "str" };

if (want("a-stages")) {
  const wf = buildWorkflow("a", {
    type: "Workflow",
    params,
    jobs: { j: { stages: stages(1000) } },
  });
  await measure("a-stages", 1000, () => run(engine, wf), { runs: 15, warmup: 10 });
}

if (want("b-jobs")) {
  const jobs: Record<string, unknown> = {};
  for (let i = 0; i < 200; i++) jobs[`j${i}`] = { stages: [{ name: "s", id: "s", echo: "x" }] };
  const wf = buildWorkflow("b", { type: "Workflow", params, "max-job-parallel": 200, jobs });
  await measure("b-jobs", 200, () => run(engine, wf), {
    note: "max-job-parallel 200",
    runs: 15,
    warmup: 10,
  });
}

if (want("c-matrix")) {
  const values = Array.from({ length: 16 }, (_, i) => i);
  const wf = buildWorkflow("c", {
    type: "Workflow",
    params,
    jobs: {
      j: {
        strategy: { "max-parallel": 8, matrix: { a: values, b: values } },
        stages: [{ name: "s", id: "s", echo: "x" }],
      },
    },
  });
  await measure("c-matrix", 256, () => run(engine, wf), { runs: 15, warmup: 10 });
}

if (want("d-chain")) {
  const jobs: Record<string, unknown> = {};
  for (let i = 0; i < 100; i++) {
    jobs[`j${i}`] = { needs: i ? [`j${i - 1}`] : [], stages: [{ name: "s", id: "s", echo: "x" }] };
  }
  const wf = buildWorkflow("d", { type: "Workflow", params, jobs });
  await measure("d-chain", 100, () => run(engine, wf), { runs: 15, warmup: 10 });
}

if (want("i-matrix-10k")) {
  const values = Array.from({ length: 100 }, (_, i) => i);
  const wf = buildWorkflow("i", {
    type: "Workflow",
    params,
    jobs: {
      j: {
        strategy: { "max-parallel": 100, matrix: { a: values, b: values } },
        stages: [{ name: "s", id: "s", echo: "x" }],
      },
    },
  });
  await measure("i-matrix-10k", 10_000, () => run(engine, wf), { runs: 5 });
}

if (want("k-traces")) {
  const dir = `/tmp/wf-bench-traces-${Date.now()}`;
  const traced = await Engine.create({
    runtime,
    config: indexConfig([]),
    traces: new FileTraceStore(runtime.fs, dir),
    audits: null,
  });
  const wf = buildWorkflow("k", {
    type: "Workflow",
    params,
    jobs: { j: { stages: stages(1000) } },
  });
  const runOnly: number[] = [];
  await measure("k-traces", 1000, async () => {
    const t0 = performance.now();
    await run(traced, wf);
    runOnly.push(performance.now() - t0);
    await traced.flush();
  }, { note: "a-stages with file traces, writes included" });
  const latest = runOnly.slice(-5).sort((a, b) => a - b)[2];
  console.log(JSON.stringify({
    case: "k-traces-run",
    items: 1000,
    runs: 5,
    totalMs: Math.round(latest * 100) / 100,
    perItemUs: Math.round(latest * 100) / 100,
    note: "time until execute() returns; buffered trace writes finish after",
  }));
  await traced.close();
  await runtime.fs.remove(dir);
}

await engine.close();
