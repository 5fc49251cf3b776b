/**
 * Benchmark m-run-js-memory: many runs of one engine, each a job of JavaScript
 * stages, to see whether memory stays flat (peak RSS, and RSS and heap at the
 * end). Sizes: `BENCH_RUNS` (default 20) runs × `BENCH_STAGES` (default 200)
 * stages. Run: deno run -A tests/bench/run_js_memory_bench.ts (or bun / node --import tsx).
 */
import process from "node:process";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { indexConfig } from "../../src/config/loader.ts";
import { Engine } from "../../src/engine.ts";

const runs = Number(process.env.BENCH_RUNS ?? 20);
const stages = Number(process.env.BENCH_STAGES ?? 200);
const yaml = `
wf:
  type: Workflow
  params:
    n: int
  jobs:
    j:
      stages:
${
  Array.from({ length: stages }, (_, i) =>
    `        - name: s${i}
          id: s${i}
          vars: { n: "\${{ params.n }}" }
          run: "return { v: n + ${i}, text: 'x'.repeat(100) };"`).join("\n")
}
`;
const engine = await Engine.create({
  runtime: detectRuntime(),
  config: indexConfig([{ path: "memory.yml", text: yaml }]),
});
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
let peakRss = 0;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const timer = setInterval(sample, 20);
const t0 = performance.now();
for (let i = 0; i < runs; i++) {
  const result = await engine.execute("wf", { n: i });
  if (result.status !== "SUCCESS") throw new Error(`run ${i} ended ${result.status}`);
  if (process.env.BENCH_VERBOSE && i % 20 === 19) {
    // With --v8-flags=--expose-gc (Deno) or --expose-gc (Node), what is really retained. Twice:
    // on Deno, a value passed to node:v8 serialize() outlives the first collection.
    (globalThis as { gc?: () => void }).gc?.();
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    console.error(`run ${i + 1}: rss ${mb(m.rss)} MB, heap ${mb(m.heapUsed)} MB`);
  }
}
const totalMs = performance.now() - t0;
clearInterval(timer);
sample();
await engine.close();
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
gc?.();
const end = process.memoryUsage();
console.log(JSON.stringify({
  case: "m-run-js-memory",
  items: runs * stages,
  runs: 1,
  totalMs: Math.round(totalMs),
  perItemUs: Math.round(totalMs * 1000 / (runs * stages)),
  peakRssMb: mb(peakRss),
  note: `${runs} runs × ${stages} stages; end: rss ${mb(end.rss)} MB, heap ${mb(end.heapUsed)} MB${
    gc ? " after gc" : ""
  }`,
}));
