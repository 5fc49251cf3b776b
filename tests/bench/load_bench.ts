// Benchmark: load a config root of 500 workflow files, then look one workflow up.
// Run: node --import tsx tests/bench/load_bench.ts (or deno run -A / bun run).
// Prints JSON lines: e-load (load 500 files), e-load-first-lookup (first workflow() of a
// fresh index: parse + validate one template; -cold: the process's first one;
// -new: one whose template texts no other workflow of the process has) and
// e-load-repeated-lookup (cached lookups).
import { detectRuntime } from "../../src/runtime/mod.ts";
import { indexConfig, loadConfig } from "../../src/config/loader.ts";
import { measure } from "./_measure.ts";
import { workflowYaml } from "./_config_cases.ts";

const FILES = 500;
const LOOKUPS = 1000;
const runtime = detectRuntime();
const firstLookupMs: number[] = [];
const root = `${runtime.cwd()}/.wf-tmp/load-bench-${runtime.clock.now()}`;

try {
  await runtime.fs.mkdir(root);
  for (let n = 0; n < FILES; n++) {
    await runtime.fs.writeText(`${root}/group-${n % 10}/wf_${n}.yml`, workflowYaml(n), {
      createDirs: true,
    });
  }
  const target = `wf-${FILES - 1}`;
  await measure("e-load", FILES, async () => {
    await loadConfig(runtime, { confPath: root });
  }, { note: "load 500 files" });
  // Each round loads a fresh index and times its first lookup (the template's file is parsed
  // and validated then). The process's very first lookup runs the YAML parser and validators
  // cold: it is printed apart as e-load-first-lookup-cold; the case itself is the median of
  // 15 rounds after 5 warm-up rounds, like the other cases.
  for (let i = 0; i < 20; i++) {
    const fresh = await loadConfig(runtime, { confPath: root });
    const name = `wf-${FILES - 1 - i}`;
    const t0 = performance.now();
    fresh.workflow(name);
    const took = performance.now() - t0;
    if (i === 0) {
      console.log(JSON.stringify({
        case: "e-load-first-lookup-cold",
        items: 1,
        totalMs: Math.round(took * 1000) / 1000,
        perItemUs: Math.round(took * 1000),
      }));
    }
    if (i >= 5) firstLookupMs.push(took);
  }
  // The same rounds, each looking a workflow up whose template texts are new to the process
  // (the checks parse each distinct text once; in e-load-first-lookup the texts repeat).
  const newTextsMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const n = FILES + i;
    const fresh = indexConfig([{ path: `unique_${n}.yml`, text: workflowYaml(n, true) }]);
    // Loaded after the index is made, so that the lookup meets the caches the others meet.
    await loadConfig(runtime, { confPath: root });
    const t0 = performance.now();
    fresh.workflow(`wf-${n}`);
    const took = performance.now() - t0;
    if (i >= 5) newTextsMs.push(took);
  }
  const config = await loadConfig(runtime, { confPath: root });
  config.workflow(target);
  await measure("e-load-repeated-lookup", LOOKUPS, () => {
    for (let i = 0; i < LOOKUPS; i++) config.workflow(target);
  });
  for (
    const [name, times] of [["e-load-first-lookup", firstLookupMs], [
      "e-load-first-lookup-new",
      newTextsMs,
    ]] as const
  ) {
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(JSON.stringify({
      case: name,
      items: 1,
      totalMs: Math.round(median * 1000) / 1000,
      perItemUs: Math.round(median * 1000),
    }));
  }
} finally {
  await runtime.fs.remove(root);
}
