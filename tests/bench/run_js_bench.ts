/**
 * Benchmark h-run-js: 200 trivial JavaScript jobs of one session (one run's stages) through a
 * warm worker pool (worker start-up is excluded: one job per worker warms it first).
 * h-run-js-session: the same 200 jobs in a new session each time, as each run now pays
 * (its workers start, or come from the pool's spare, and end with it).
 * h-run-js-fresh: 20 jobs through `run()` outside a session, a fresh worker per job (the cost
 * of never reusing a worker, even within a run).
 * Run: node --import tsx tests/bench/run_js_bench.ts (or deno run -A / bun the same file).
 */
import { detectRuntime } from "../../src/runtime/mod.ts";
import { createJsRunner, type JsSession } from "../../src/worker/pool.ts";
import { measure } from "./_measure.ts";

const items = 200;
const size = 2;
const runner = createJsRunner(detectRuntime(), { size });
const job = (target: Pick<JsSession, "run">, n: number) =>
  target.run({ code: "return { doubled: n * 2 };", vars: { n }, context: {} }, {
    timeoutMs: 10_000,
  });
const batch = (target: Pick<JsSession, "run">, count: number) =>
  Promise.all(Array.from({ length: count }, (_, i) => job(target, i)));

const warm = runner.session();
await batch(warm, size);
await measure("h-run-js", items, () => batch(warm, items).then(() => {}), {
  note: `one session, pool of ${size} warm workers`,
});
await warm.close();

await measure("h-run-js-session", items, async () => {
  const session = runner.session();
  await batch(session, items);
  await session.close();
}, { note: `a new session per ${items} jobs, pool of ${size}`, warmupMs: 0 });

const fresh = 20;
await measure("h-run-js-fresh", fresh, () => batch(runner, fresh).then(() => {}), {
  note: "a fresh worker per job",
  warmupMs: 0,
  runs: 3,
});
await runner.close();
