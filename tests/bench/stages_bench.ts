/**
 * Stage benchmarks. Run: `deno run -A tests/bench/stages_bench.ts`,
 * `bun tests/bench/stages_bench.ts`, `node --import tsx tests/bench/stages_bench.ts`.
 * Prints one JSON line per case (median of 5 runs after a warm-up):
 *
 * - `a-stages`: one job with 1,000 empty stages (`echo` with a small template).
 *   Target ≤ 3 µs per stage on Deno (the reference engine: ≈ 76 µs).
 * - `h-run-js`: 200 `run` stages of trivial JavaScript through the worker pool
 *   (one job, so they run one after another: the per-stage round trip).
 */
import { detectRuntime } from "../../src/runtime/mod.ts";
import { buildWorkflow, indexConfig } from "../../src/config/loader.ts";
import { Engine } from "../../src/engine.ts";
import type { Workflow } from "../../src/models/types.ts";
import { measure } from "./_measure.ts";

const engine = await Engine.create({ runtime: detectRuntime(), config: indexConfig([]) });

function workflow(name: string, stages: Record<string, unknown>[]): Workflow {
  return buildWorkflow(name, {
    type: "Workflow",
    params: { p: "str" },
    jobs: { j: { stages } },
  });
}

async function run(wf: Workflow): Promise<void> {
  const result = await engine.execute(wf, { p: "v" });
  if (result.status !== "SUCCESS") {
    throw new Error(`${wf.name} ended ${result.status}: ${JSON.stringify(result.context.errors)}`);
  }
}

const STAGES = 1000;
const empty = workflow(
  "bench-a-stages",
  Array.from(
    { length: STAGES },
    (_, i) => ({ name: `s${i}`, id: `s${i}`, echo: "x ${{ params.p }}" }),
  ),
);
await measure("a-stages", STAGES, () => run(empty));

const RUNS = 200;
const js = workflow(
  "bench-h-run-js",
  Array.from({ length: RUNS }, (_, i) => ({
    name: `r${i}`,
    id: `r${i}`,
    vars: { n: i },
    run: "return { doubled: n * 2 };",
  })),
);
await measure("h-run-js", RUNS, () => run(js), { runs: 3 });
await engine.close();
