// Benchmark: 200 trivial JavaScript jobs through one worker pool.
// Run: node --import tsx tests/bench/run_js_bench.ts (or deno run -A / bun the same file).
// Prints one JSON line. `startMs` is the pool warm-up (one job per worker, i.e. worker
// start-up), not included in `totalMs`.
import { detectRuntime } from "../../src/runtime/mod.ts";
import { createJsRunner } from "../../src/worker/pool.ts";

const items = 200;
const size = 2;
const runner = createJsRunner(detectRuntime(), { size });
const job = (n: number) =>
  runner.run({ code: "return { doubled: n * 2 };", vars: { n }, context: {} }, {
    timeoutMs: 10_000,
  });

const warming = performance.now();
await Promise.all(Array.from({ length: size }, (_, i) => job(i)));
const startMs = performance.now() - warming;

const started = performance.now();
await Promise.all(Array.from({ length: items }, (_, i) => job(i)));
const totalMs = performance.now() - started;
await runner.close();
console.log(JSON.stringify({
  case: "h-run-js",
  items,
  totalMs: Math.round(totalMs * 10) / 10,
  perItemUs: Math.round((totalMs * 1000) / items),
  workers: size,
  startMs: Math.round(startMs),
}));
