// Benchmark: load a config root of 500 workflow files, then look one workflow up.
// Run: node --import tsx tests/bench/load_bench.ts (or deno run -A / bun run).
// Prints JSON lines {"case":"e-load", ...}.
import { detectRuntime } from "../../src/runtime/mod.ts";
import { loadConfig } from "../../src/config/loader.ts";

const FILES = 500;
const LOOKUPS = 1000;
const runtime = detectRuntime();
const root = `${runtime.cwd()}/.wf-tmp/load-bench-${runtime.clock.now()}`;

function workflowYaml(n: number): string {
  return `wf-${n}:
  type: Workflow
  params:
    run-date: datetime
    name: {type: str, default: world}
  on:
    - cronjob: "*/${(n % 30) + 1} * * * *"
      timezone: Asia/Bangkok
  jobs:
    extract:
      stages:
        - name: Greet
          id: greet
          echo: "hello \${{ params.name }}"
        - name: Shell
          bash: echo "\${{ params.run-date | fmt('%Y%m%d') }}"
    load:
      needs: [extract]
      strategy:
        matrix: {table: [a, b, c]}
      stages:
        - name: Load \${{ matrix.table }}
          uses: tasks/load@v1
          with: {table: "\${{ matrix.table }}", from: "\${{ jobs.extract.stages }}"}
`;
}

const ms = (start: number) => Math.round((runtime.clock.monotonic() - start) * 1000) / 1000;

try {
  await runtime.fs.mkdir(root);
  for (let n = 0; n < FILES; n++) {
    await runtime.fs.writeText(`${root}/group-${n % 10}/wf_${n}.yml`, workflowYaml(n), {
      createDirs: true,
    });
  }
  let start = runtime.clock.monotonic();
  const config = await loadConfig(runtime, { confPath: root });
  const loadMs = ms(start);
  const target = `wf-${FILES - 1}`;
  start = runtime.clock.monotonic();
  config.workflow(target);
  const firstLookupMs = ms(start);
  start = runtime.clock.monotonic();
  for (let i = 0; i < LOOKUPS; i++) config.workflow(target);
  const repeatedMs = ms(start);
  start = runtime.clock.monotonic();
  const issues = config.validate();
  const validateMs = ms(start);
  const base = { case: "e-load", runtime: runtime.name, files: FILES };
  console.log(
    JSON.stringify({ ...base, step: "load", ms: loadMs, templates: config.names().length }),
  );
  console.log(JSON.stringify({ ...base, step: "first-lookup", ms: firstLookupMs }));
  console.log(JSON.stringify({
    ...base,
    step: "repeated-lookup",
    lookups: LOOKUPS,
    ms: repeatedMs,
    perLookupUs: Math.round((repeatedMs / LOOKUPS) * 1000 * 1000) / 1000,
  }));
  console.log(
    JSON.stringify({ ...base, step: "validate-all", ms: validateMs, issues: issues.length }),
  );
} finally {
  await runtime.fs.remove(root);
}
