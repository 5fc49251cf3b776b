/**
 * Benchmark: one scheduler tick over 1,000 scheduled workflows, all due at the same minute
 * (fake clock, memory runtime, in-memory audit store). The tick includes the audit checks and
 * the 1,000 releases it starts (one echo stage each). Prints one JSON line. Run with any
 * runtime, e.g. `node --import tsx tests/bench/scheduler_bench.ts`.
 */
import { indexConfig } from "../../src/config/loader.ts";
import { Engine } from "../../src/engine.ts";
import { MemoryAuditStore } from "../../src/results/memory_audit_store.ts";
import { createMemoryRuntime } from "../../src/runtime/memory.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";

const ITEMS = 1_000;
const RUNS = 5;
const START = Date.parse("2026-03-02T00:00:00Z");

const lines: string[] = [];
for (let i = 0; i < ITEMS; i++) {
  lines.push(
    `wf-${i}:`,
    `  type: Workflow`,
    `  on: [{cronjob: "${i % 2 === 0 ? "* * * * *" : "*/5 * * * *"}"}]`,
    `  jobs:`,
    `    j: {stages: [{name: s, echo: "${i}"}]}`,
  );
}
const config = indexConfig([{ path: "bench.yml", text: lines.join("\n") + "\n" }]);

async function once(): Promise<number> {
  const runtime = createMemoryRuntime({ now: START });
  const engine = await Engine.create({ runtime, config, settings: { timezone: "UTC" } });
  const audits = new MemoryAuditStore();
  const scheduler = new Scheduler(engine, { audits, workflows: true });
  const started = performance.now();
  const summary = await scheduler.start({ once: true });
  const elapsed = performance.now() - started;
  if (summary.released !== ITEMS) throw new Error(`wrong result: ${summary.released} released`);
  await engine.close();
  return elapsed;
}

await once();
let best = Infinity;
for (let i = 0; i < RUNS; i++) best = Math.min(best, await once());
console.log(JSON.stringify({
  case: "l-tick",
  items: ITEMS,
  totalMs: Number(best.toFixed(3)),
  perItemUs: Number((best * 1000 / ITEMS).toFixed(3)),
}));
