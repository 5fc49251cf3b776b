/**
 * Benchmark of the hot path of template rendering: one compiled string with three templates
 * rendered against a realistic run scope; median of 5 rounds of 100,000 after a warm-up. Prints one
 * JSON line.
 *
 * Run with `deno run -A tests/bench/render_bench.ts`, `bun tests/bench/render_bench.ts` or
 * `node --import tsx tests/bench/render_bench.ts`.
 *
 * @module
 */

import { render } from "../../src/template/mod.ts";
import { measure } from "./_measure.ts";

const ITEMS = 100_000;
const TEMPLATE =
  "run ${{ params.name | upper }} on ${{ params.date }} (${{ stages.first.outputs.count }})";

const scope = {
  params: {
    name: "daily-sales",
    date: new Date(Date.UTC(2024, 0, 31, 2, 30)),
    mode: "full",
    source: "s3://bucket/path",
    limit: 1000,
  },
  stages: {
    first: { status: "SUCCESS", outputs: { count: 1234, files: ["a.csv", "b.csv"] } },
    second: { status: "SUCCESS", outputs: { rows: 99 } },
  },
  jobs: {},
  matrix: { env: "prod" },
};

let sink = 0;
function run(count: number): void {
  for (let i = 0; i < count; i++) {
    sink += (render(TEMPLATE, scope) as string).length;
  }
}

await measure("f-render", ITEMS, () => run(ITEMS), { warmup: 2 });
if (sink === 0) throw new Error("benchmark produced nothing");
