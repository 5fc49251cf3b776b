/**
 * Python run stage benchmarks (median of 5 runs after a warm-up run):
 *
 * - `p-run-python`: one job of 51 trivial `lang: python` stages (`vars` in, one output out);
 *   per stage after the job's first, i.e. the run's time minus its first stage, over 50. The
 *   stages of a job share a warm `python3` interpreter, so this is the per-stage round trip.
 * - `p-run-python-first`: the first Python stage of a job (its stage duration), when the
 *   engine's spare interpreter has had time to start (runs 1 s apart, untimed): what a job's
 *   first Python stage costs.
 *
 * Run: node --import tsx tests/bench/run_python_bench.ts (or deno run -A / bun the same file).
 */
import process from "node:process";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { buildWorkflow, indexConfig } from "../../src/config/loader.ts";
import { Engine } from "../../src/engine.ts";
import { onLifecycle } from "../../src/executor/events.ts";
import type { Workflow } from "../../src/models/types.ts";
import { median } from "./_measure.ts";

const engine = await Engine.create({ runtime: detectRuntime(), config: indexConfig([]) });

function workflow(name: string, count: number): Workflow {
  return buildWorkflow(name, {
    type: "Workflow",
    jobs: {
      j: {
        stages: Array.from({ length: count }, (_, i) => ({
          name: `py${i}`,
          id: `py${i}`,
          lang: "python",
          vars: { n: i },
          run: "doubled = n * 2",
        })),
      },
    },
  });
}

/** Runs `wf`; resolves to the whole run's ms and its first stage's ms. */
async function timedRun(wf: Workflow): Promise<{ totalMs: number; firstMs: number }> {
  const events = new EventTarget();
  let firstMs = NaN;
  onLifecycle(events, (event) => {
    if (event.type === "stage-end" && event.stage === "py0") firstMs = event.durationMs ?? NaN;
  });
  const t0 = performance.now();
  const result = await engine.execute(wf, {}, { events });
  const totalMs = performance.now() - t0;
  if (result.status !== "SUCCESS") {
    throw new Error(`${wf.name} ended ${result.status}: ${JSON.stringify(result.context.errors)}`);
  }
  return { totalMs, firstMs };
}

function report(name: string, items: number, runMs: number[], note: string): void {
  const totalMs = median(runMs);
  console.log(JSON.stringify({
    case: name,
    items,
    runs: runMs.length,
    totalMs: Math.round(totalMs * 100) / 100,
    perItemUs: Math.round((totalMs * 1000 / items) * 100) / 100,
    peakRssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
    note,
  }));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RUNS = 5;
const STAGES = 50;
const many = workflow("bench-p-run-python", STAGES + 1);
await timedRun(many);
const warm: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const { totalMs, firstMs } = await timedRun(many);
  warm.push(totalMs - firstMs);
}
report("p-run-python", STAGES, warm, "per stage after the job's first");

const one = workflow("bench-p-run-python-first", 1);
const first: number[] = [];
for (let i = 0; i < RUNS; i++) {
  await pause(1000);
  first.push((await timedRun(one)).firstMs);
}
report("p-run-python-first", 1, first, "first Python stage of a job, spare ready");
await engine.close();
