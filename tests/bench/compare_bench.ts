/**
 * Two source trees side by side in one process: the same executor workflows run through each
 * tree's engine in alternating rounds, so machine noise (other processes, CPU frequency, the
 * heap) hits both alike. Prints one JSON line per case with each tree's median µs per item.
 * `scripts/bench_compare.mjs REV` makes the second tree from a git revision and prints a table.
 *
 * `e-first-lookup` is `load_bench.ts`'s `e-load-first-lookup` for both trees: each round indexes
 * 500 workflow files anew (in memory) on each side and times that index's first lookup; its
 * 5 warm-up and 15 measured rounds are fixed (`--rounds` does not change them), since how warm
 * the code is, is what the case measures.
 *
 * Run: `deno run -A tests/bench/compare_bench.ts BEFORE_DIR AFTER_DIR [--cases a-stages,b-jobs]
 * [--rounds 30]` (also `bun …`, `node --import tsx …`). Each tree must have `src/engine.ts`,
 * `src/config/loader.ts`, `src/runtime/mod.ts` and `src/results/file_trace_store.ts`.
 */
import process from "node:process";
import { median } from "./_measure.ts";
import {
  chainCase,
  type ExecutorCase,
  jobsCase,
  matrixCase,
  stagesCase,
} from "./_executor_cases.ts";
import { workflowYaml } from "./_config_cases.ts";

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const wanted = option("--cases")?.split(",");
const rounds = Number(option("--rounds") ?? 30);
const trees = args;
if (trees.length !== 2) {
  console.error("usage: compare_bench.ts BEFORE_DIR AFTER_DIR [--cases a,b] [--rounds N]");
  process.exit(2);
}

/** Case → workflow, runs per round (a round takes a few ms) and whether it writes traces. */
const cases: Record<string, { make: () => ExecutorCase; reps: number; traced?: boolean }> = {
  "a-stages": { make: stagesCase, reps: 5 },
  "b-jobs": { make: jobsCase, reps: 20 },
  "c-matrix": { make: () => matrixCase(16, 8), reps: 20 },
  "d-chain": { make: chainCase, reps: 40 },
  "k-traces": { make: stagesCase, reps: 5, traced: true },
};

interface Side {
  readonly dir: string;
  readonly build: (name: string, raw: Record<string, unknown>) => unknown;
  readonly index: (files: { path: string; text: string }[]) => { workflow(name: string): unknown };
  readonly plain: Engine;
  readonly traced: Engine;
  /** Removes the traced engine's folder. */
  readonly clean: () => Promise<void>;
}
interface Engine {
  execute(wf: unknown, params: Record<string, unknown>): Promise<{ status: string }>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

async function load(dir: string): Promise<Side> {
  const root = new URL(`file://${dir.startsWith("/") ? dir : `${process.cwd()}/${dir}`}/`);
  const from = (path: string) => import(new URL(path, root).href);
  const [{ detectRuntime }, { buildWorkflow, indexConfig }, { Engine }, { FileTraceStore }] =
    await Promise.all([
      from("src/runtime/mod.ts"),
      from("src/config/loader.ts"),
      from("src/engine.ts"),
      from("src/results/file_trace_store.ts"),
    ]);
  const runtime = detectRuntime();
  const traceDir = `/tmp/wf-compare-traces-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const options = { runtime, config: indexConfig([]), audits: null };
  return {
    dir,
    build: buildWorkflow,
    index: indexConfig,
    plain: await Engine.create({ ...options, traces: null }),
    traced: await Engine.create({ ...options, traces: new FileTraceStore(runtime.fs, traceDir) }),
    clean: () => runtime.fs.remove(traceDir),
  };
}

const sides = [await load(trees[0]), await load(trees[1])];
for (const [name, spec] of Object.entries(cases)) {
  if (wanted && !wanted.includes(name)) continue;
  const { items, workflow } = spec.make();
  const workflows = sides.map((side) => side.build(name[0], workflow));
  const times: number[][] = [[], []];
  // Five warm-up rounds, then `rounds` measured ones; who goes first alternates.
  for (let r = 0; r < rounds + 5; r++) {
    for (const i of r % 2 ? [1, 0] : [0, 1]) {
      const engine = spec.traced ? sides[i].traced : sides[i].plain;
      const t0 = performance.now();
      for (let k = 0; k < spec.reps; k++) {
        const result = await engine.execute(workflows[i], { p: "v" });
        if (result.status !== "SUCCESS") throw new Error(`${name} ended ${result.status}`);
      }
      if (spec.traced) await engine.flush();
      if (r >= 5) times[i].push(((performance.now() - t0) * 1000) / spec.reps / items);
    }
  }
  const [before, after] = times.map((t) => Math.round(median(t) * 100) / 100);
  console.log(JSON.stringify({ case: name, items, rounds, beforeUs: before, afterUs: after }));
}
if (!wanted || wanted.includes("e-first-lookup")) {
  const FILES = 500;
  const files = Array.from({ length: FILES }, (_, n) => ({
    path: `group-${n % 10}/wf_${n}.yml`,
    text: workflowYaml(n),
  }));
  const times: number[][] = [[], []];
  for (let r = 0; r < 20; r++) {
    for (const i of r % 2 ? [1, 0] : [0, 1]) {
      const index = sides[i].index(files);
      const t0 = performance.now();
      index.workflow(`wf-${FILES - 1 - r}`);
      if (r >= 5) times[i].push((performance.now() - t0) * 1000);
    }
  }
  const [before, after] = times.map((t) => Math.round(median(t) * 100) / 100);
  console.log(
    JSON.stringify({
      case: "e-first-lookup",
      items: 1,
      rounds: 15,
      beforeUs: before,
      afterUs: after,
    }),
  );
}
for (const side of sides) {
  await side.plain.close();
  await side.traced.close();
  await side.clean();
}
