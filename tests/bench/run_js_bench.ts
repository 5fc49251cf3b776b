/**
 * Benchmark h-run-js: 200 trivial JavaScript jobs through one warm worker pool
 * (worker start-up is excluded: one job per worker warms it first).
 * Run: node --import tsx tests/bench/run_js_bench.ts (or deno run -A / bun the same file).
 */
import { detectRuntime } from "../../src/runtime/mod.ts";
import { createJsRunner } from "../../src/worker/pool.ts";
import { measure } from "./_measure.ts";

const items = 200;
const size = 2;
const runner = createJsRunner(detectRuntime(), { size });
const job = (n: number) =>
  runner.run({ code: "return { doubled: n * 2 };", vars: { n }, context: {} }, {
    timeoutMs: 10_000,
  });

await Promise.all(Array.from({ length: size }, (_, i) => job(i)));
await measure("h-run-js", items, async () => {
  await Promise.all(Array.from({ length: items }, (_, i) => job(i)));
}, { note: `pool of ${size} warm workers` });
await runner.close();
