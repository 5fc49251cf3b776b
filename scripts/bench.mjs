#!/usr/bin/env node
// Runs every benchmark in tests/bench/ on Deno, Bun and Node and prints one table:
// case, runtime, total ms, per-item µs, peak RSS. `--json FILE` also writes the rows as JSON.
// `--only deno,node` limits runtimes; `--cases a-stages,g-cron` limits cases.
// Exits non-zero when a benchmark fails to run (never because it is slow).
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { printTable } from "./_table.mjs";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runtimes = (option("--only") ?? "deno,bun,node").split(",");
const onlyCases = option("--cases")?.split(",");
const jsonOut = option("--json");

const commands = {
  deno: (file, extra) => [bin("deno"), ["run", "-A", file, ...extra]],
  bun: (file, extra) => [bin("bun"), [file, ...extra]],
  node: (file, extra) => [process.execPath, ["--import", "tsx", file, ...extra]],
};

/** Benchmark files and the cases each prints, in table order. */
const suites = [
  { file: "tests/bench/executor_bench.ts", cases: ["a-stages", "b-jobs", "c-matrix", "d-chain"] },
  { file: "tests/bench/load_bench.ts", cases: ["e-load"] },
  { file: "tests/bench/load_many_bench.ts", cases: ["e-validate-20k"] },
  { file: "tests/bench/render_bench.ts", cases: ["f-render"] },
  { file: "tests/bench/cron_bench.ts", cases: ["g-cron"] },
  {
    file: "tests/bench/run_js_bench.ts",
    cases: ["h-run-js", "h-run-js-session", "h-run-js-fresh"],
  },
  { file: "tests/bench/executor_bench.ts", cases: ["i-matrix-10k", "k-traces", "n-otel"] },
  { file: "tests/bench/scheduler_bench.ts", cases: ["l-tick"], optional: true },
  { file: "tests/bench/run_python_bench.ts", cases: ["p-run-python", "p-run-python-first"] },
  {
    file: "tests/bench/runs_page_bench.ts",
    cases: [
      "q-runs-page-file",
      "q-runs-page-file-cold",
      "q-runs-page-sqlite",
      "q-runs-page-postgres",
      "q-trace-write-postgres",
    ],
  },
  {
    file: "tests/bench/run_records_bench.ts",
    cases: ["r-records-none", "r-records-file", "r-records-sqlite"],
  },
  {
    // Each web UI page server-rendered with 10,000 runs in the file, SQLite and PostgreSQL store.
    file: "tests/bench/ui_pages_bench.ts",
    cases: ["file", "sqlite", "postgres"].flatMap((store) =>
      ["workflows", "workflow", "runs", "runs-filtered", "run", "schedules", "audits"].map((page) =>
        `u-ui-${page}-${store}`
      )
    ),
  },
  {
    file: "tests/bench/worker_bench.ts",
    cases: ["w-runs-1", "w-runs-2", "w-runs-4", "w-latency", "w-takeover"],
  },
  // BENCH_RUNS=240 for the long memory check (default 20 runs × 200 stages).
  { file: "tests/bench/run_js_memory_bench.ts", cases: ["m-run-js-memory"] },
];

const rows = [];
let failures = 0;

function record(row) {
  rows.push(row);
  process.stderr.write(`  ${row.runtime.padEnd(5)} ${row.case}\n`);
}

/** Runs one benchmark process and records the JSON lines it prints. */
function runOne(runtime, suite, extra) {
  const [cmd, argv] = commands[runtime](suite.file, extra);
  const r = spawnSync(cmd, argv, {
    cwd: root,
    encoding: "utf8",
    timeout: 240_000,
    env: { ...process.env, NO_COLOR: "1" },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) {
    const missing = /Module not found|Cannot find module|ERR_MODULE_NOT_FOUND/.test(r.stderr ?? "");
    if (suite.optional && missing) return;
    failures++;
    process.stderr.write(
      `  FAILED ${suite.file} on ${runtime} (exit ${r.status ?? r.signal})\n${
        (r.stderr ?? "").slice(-2000)
      }\n`,
    );
    return;
  }
  for (const line of r.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    let data;
    try {
      data = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof data.case === "string") record({ runtime, ...data });
  }
}

for (const runtime of runtimes) {
  process.stderr.write(`${runtime}:\n`);
  for (const suite of suites) {
    const cases = suite.cases.filter((c) => !onlyCases || onlyCases.some((o) => c.startsWith(o)));
    if (cases.length === 0) continue;
    // Executor cases each get a fresh process, so one case's heap and JIT state do not skew
    // the next; the other files print a single case.
    const runs = suite.file.endsWith("executor_bench.ts") ? cases.map((c) => [c]) : [[]];
    for (const extra of runs) runOne(runtime, suite, extra);
  }
  // j-cold-start: whole processes of the `workflow` command (src/cli/bin.ts, the npm bin),
  // median of 5 after one warm-up. On Node also the npm build, when npm/ has been built
  // (node --import tsx scripts/build_npm.ts): what `npx workflow` runs.
  if (!onlyCases || onlyCases.some((o) => "j-cold-start".startsWith(o))) {
    const entries = {
      deno: [["", [bin("deno"), ["run", "-A", "src/cli/bin.ts"]]]],
      bun: [["", [bin("bun"), ["src/cli/bin.ts"]]]],
      node: [
        ["", [process.execPath, ["--import", "tsx", "src/cli/bin.ts"]]],
        ...(existsSync(join(root, "npm/src/cli/bin.js"))
          ? [["-npm", [process.execPath, ["npm/src/cli/bin.js"]]]]
          : []),
      ],
    }[runtime];
    const commandCases = [["version", ["version"]], ["run", [
      "run",
      "demo-hello",
      "--conf",
      "conf",
      "--json",
    ]]];
    for (
      const [label, extra, entry] of entries.flatMap(([suffix, entry]) =>
        commandCases.map(([label, extra]) => [label + suffix, extra, entry])
      )
    ) {
      const times = [];
      let ok = true;
      for (let i = 0; i < 6; i++) {
        const t0 = performance.now();
        const r = spawnSync(entry[0], [...entry[1], ...extra], {
          cwd: root,
          encoding: "utf8",
          timeout: 60_000,
        });
        const took = performance.now() - t0;
        if (r.status !== 0) {
          ok = false;
          process.stderr.write(
            `  FAILED j-cold-start ${label} on ${runtime}: ${(r.stderr ?? "").slice(-500)}\n`,
          );
          break;
        }
        if (i > 0) times.push(took);
      }
      if (!ok) {
        failures++;
        continue;
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)];
      record({
        runtime,
        case: `j-cold-start-${label}`,
        items: 1,
        runs: times.length,
        totalMs: Math.round(median),
        perItemUs: Math.round(median * 1000),
      });
    }
  }
}

const order = (name) => name.replace(/^([a-z])-.*/, "$1");
rows.sort((a, b) =>
  order(a.case).localeCompare(order(b.case)) || a.case.localeCompare(b.case) ||
  runtimes.indexOf(a.runtime) - runtimes.indexOf(b.runtime)
);

const fmt = (
  v,
  digits = 2,
) => (v === undefined || v === null
  ? "-"
  : typeof v === "number"
  ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(digits))
  : String(v));
// `× off` is a traced case's cost over the same run with traces off, measured side by side.
const header = ["case", "runtime", "total ms", "per item µs", "peak RSS MB", "items", "× off"];
const table = rows.map((r) => [
  r.case,
  r.runtime,
  fmt(r.totalMs),
  fmt(r.perItemUs),
  fmt(r.peakRssMb, 0),
  fmt(r.items, 0),
  fmt(r.ratio),
]);
printTable(header, table);
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), rows }, null, 2) + "\n");
}
if (failures) {
  console.error(`${failures} benchmark run(s) failed`);
  process.exit(1);
}
