/**
 * Executor benchmarks: a-stages, b-jobs, c-matrix, d-chain, i-matrix-10k, k-traces and
 * n-otel. Run: `deno run -A tests/bench/executor_bench.ts [case…]`,
 * `bun tests/bench/executor_bench.ts`, `node --import tsx tests/bench/executor_bench.ts`.
 */
import process from "node:process";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { buildWorkflow, indexConfig } from "../../src/config/loader.ts";
import { Engine } from "../../src/engine.ts";
import { FileTraceStore } from "../../src/results/file_trace_store.ts";
import type { Workflow } from "../../src/models/types.ts";
import { measure, median } from "./_measure.ts";
import { chainCase, jobsCase, matrixCase, stagesCase } from "./_executor_cases.ts";

const runtime = detectRuntime();
const firstRunFolder = (entries: { name: string }[]) =>
  entries.find((e) => e.name.startsWith("run_id="))!.name;
const wanted = new Set(process.argv.slice(2));
const want = (name: string) => wanted.size === 0 || wanted.has(name);

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

const cases = [
  ["a-stages", stagesCase(), {}],
  ["b-jobs", jobsCase(), { note: "max-job-parallel 200" }],
  ["c-matrix", matrixCase(16, 8), {}],
  ["d-chain", chainCase(), {}],
] as const;
for (const [name, { items, workflow }, extra] of cases) {
  if (!want(name)) continue;
  const wf = buildWorkflow(name[0], workflow);
  await measure(name, items, () => run(engine, wf), { runs: 15, warmup: 10, ...extra });
}

if (want("i-matrix-10k")) {
  const wf = buildWorkflow("i", matrixCase(100, 100).workflow);
  await measure("i-matrix-10k", 10_000, () => run(engine, wf), { runs: 5 });
}

if (want("k-traces")) {
  // The same 1,000-stage run with traces off and with file traces on, in rounds that
  // alternate inside one process so machine noise hits both alike. A round is RUNS runs back
  // to back, then a flush: the traced figure includes every trace write. Set
  // WF_BENCH_TRACE_DIR to put the trace folder on another disk (e.g. /dev/shm).
  const dir = `${process.env.WF_BENCH_TRACE_DIR ?? "/tmp"}/wf-bench-traces-${Date.now()}`;
  const traced = await Engine.create({
    runtime,
    config: indexConfig([]),
    traces: new FileTraceStore(runtime.fs, dir),
    audits: null,
  });
  const wf = buildWorkflow("k", stagesCase().workflow);
  const RUNS = 10;
  const off: number[] = [];
  const on: number[] = [];
  const latency: number[] = [];
  const round = async (target: Engine, record: boolean) => {
    const t0 = performance.now();
    let running = 0;
    for (let i = 0; i < RUNS; i++) {
      const t1 = performance.now();
      await run(target, wf);
      running += performance.now() - t1;
    }
    await target.flush();
    const perRun = (performance.now() - t0) / RUNS;
    if (record) {
      (target === engine ? off : on).push(perRun);
      if (target === traced) latency.push(running / RUNS);
    }
  };
  for (let i = 0; i < 40; i++) {
    const measured = i >= 10;
    await round(engine, measured);
    await round(traced, measured);
  }
  // One run and its writes on their own: the latency a single traced run sees.
  const single: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    await run(traced, wf);
    await traced.flush();
    single.push(performance.now() - t0);
  }
  const ratio = Math.round((median(on) / median(off)) * 100) / 100;
  const row = (name: string, ms: number, note: string, extra: Record<string, number> = {}) =>
    console.log(JSON.stringify({
      case: name,
      items: 1000,
      runs: extra.runs ?? off.length,
      totalMs: Math.round(ms * 100) / 100,
      perItemUs: Math.round(ms * 100) / 100,
      note,
      ...extra,
    }));
  row("k-traces-off", median(off), "the same rounds with traces off");
  row("k-traces", median(on), `file traces, ${RUNS} runs then flush, writes included`, {
    ratio,
  });
  row("k-traces-run", median(latency), "file traces, until execute() returns");
  row("k-traces-single", median(single), "file traces, one run then flush", {
    runs: single.length,
  });
  await traced.close();

  // The file operations alone, with text of the same size built beforehand: one folder and
  // its three files per run, written the way the file store writes them.
  const jsonl = await runtime.fs.readText(
    `${dir}/${firstRunFolder(await runtime.fs.readDir(dir))}/trace.jsonl`,
  );
  const stdout = jsonl.slice(0, Math.round(jsonl.length * 0.55));
  let n = 0;
  const files: number[] = [];
  for (let r = 0; r < 20; r++) {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: RUNS }, async () => {
      const folder = `${dir}/files-${n++}`;
      await runtime.fs.mkdir(folder);
      await Promise.all([
        runtime.fs.writeText(`${folder}/trace.jsonl`, jsonl, { append: true }),
        runtime.fs.writeText(`${folder}/stdout.txt`, stdout, { append: true }),
        runtime.fs.writeText(`${folder}/run.jsonl`, '{"runId":"x"}\n', { append: true }),
      ]);
    }));
    if (r >= 5) files.push((performance.now() - t0) / RUNS);
  }
  row("k-traces-files", median(files), "the trace files alone (folder + 3 files per run)", {
    runs: files.length,
  });
  await runtime.fs.remove(dir);
}

if (want("n-otel")) {
  // The 1,000-stage run with OpenTelemetry spans off and on (the SDK's BasicTracerProvider, a
  // SimpleSpanProcessor and the in-memory exporter), in alternating rounds in one process.
  const { trace } = await import("@opentelemetry/api");
  const sdk = await import("@opentelemetry/sdk-trace-base");
  const exporter = new sdk.InMemorySpanExporter();
  trace.setGlobalTracerProvider(
    new sdk.BasicTracerProvider({ spanProcessors: [new sdk.SimpleSpanProcessor(exporter)] }),
  );
  const spanned = await Engine.create({
    runtime,
    config: indexConfig([]),
    traces: null,
    audits: null,
    telemetry: true,
  });
  const plain = await Engine.create({
    runtime,
    config: indexConfig([]),
    traces: null,
    audits: null,
    telemetry: false,
  });
  const wf = buildWorkflow("n", stagesCase().workflow);
  const RUNS = 5;
  const off: number[] = [];
  const on: number[] = [];
  let spans = 0;
  for (let i = 0; i < 30; i++) {
    for (const target of [plain, spanned]) {
      const t0 = performance.now();
      for (let r = 0; r < RUNS; r++) await run(target, wf);
      const perRun = (performance.now() - t0) / RUNS;
      if (target === spanned) spans = exporter.getFinishedSpans().length / RUNS;
      exporter.reset();
      if (i >= 10) (target === plain ? off : on).push(perRun);
    }
  }
  const ratio = Math.round((median(on) / median(off)) * 100) / 100;
  const perStageUs = Math.round(((median(on) - median(off)) / 1000) * 1000 * 100) / 100;
  for (
    const [name, values, note] of [
      ["n-otel-off", off, "telemetry: false, the same rounds"],
      ["n-otel", on, `in-memory SDK, ${spans} spans per run; +${perStageUs} µs per stage`],
    ] as const
  ) {
    const ms = median(values);
    console.log(JSON.stringify({
      case: name,
      items: 1000,
      runs: values.length,
      totalMs: Math.round(ms * 100) / 100,
      perItemUs: Math.round(ms * 100) / 100,
      note,
      ...(name === "n-otel" ? { ratio, perStageUs } : {}),
    }));
  }
  trace.disable();
  await spanned.close();
  await plain.close();
}

await engine.close();
