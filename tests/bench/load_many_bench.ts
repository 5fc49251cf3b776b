// Benchmark: validate one config file that holds 20,000 templates (index + validate()).
// Run: node --import tsx tests/bench/load_many_bench.ts (or deno run -A / bun run).
// Prints one JSON line, e-validate-20k: the median of 3 runs (no warm-up: each run takes
// seconds), per template. Loading used to be quadratic in the templates of one file (each
// position was found by a scan of the top-level map, each duplicate key by a scan of its map).
import process from "node:process";
import { indexConfig } from "../../src/config/loader.ts";
import { median } from "./_measure.ts";

const TEMPLATES = 20_000;
const RUNS = 3;

const text = Array.from(
  { length: TEMPLATES },
  (_, n) =>
    `wf-${n}:\n  type: Workflow\n  params:\n    name: {type: str, default: world}\n  jobs:\n` +
    `    a:\n      stages:\n        - name: Greet\n          echo: "hello \${{ params.name }}"\n`,
).join("");

const times: number[] = [];
let issues = 0;
let peakRssMb = 0;
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  issues = indexConfig([{ path: "many.yml", text }]).validate().length;
  times.push(performance.now() - t0);
  peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / 2 ** 20);
}
if (issues !== 0) throw new Error(`expected a valid file, got ${issues} issues`);
const totalMs = median(times);
console.log(JSON.stringify({
  case: "e-validate-20k",
  items: TEMPLATES,
  runs: RUNS,
  totalMs: Math.round(totalMs),
  perItemUs: Math.round((totalMs * 1000) / TEMPLATES * 10) / 10,
  peakRssMb: Math.round(peakRssMb),
}));
