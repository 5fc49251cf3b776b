#!/usr/bin/env node
// Runs the one test suite on Deno, Bun and Node and prints `N passed, N failed`
// summed over the three runtimes. Plain Node so it needs nothing but `npm ci`.
// Usage: node scripts/test_all.mjs [--only deno,bun,node] [path-filter]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
const args = process.argv.slice(2);
let only = ["deno", "bun", "node"];
const onlyIndex = args.indexOf("--only");
if (onlyIndex >= 0) {
  only = args[onlyIndex + 1].split(",");
  args.splice(onlyIndex, 2);
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
const runners = {
  deno: () => {
    const out = join(tmp, "deno.xml");
    const r = spawnSync(bin("deno"), [
      "test",
      "-A",
      "--reporter=junit",
      `--junit-path=${out}`,
      ...files.map((f) => "./" + f),
    ], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 });
    return { r, xml: safeRead(out), leafOnly: true };
  },
  bun: () => {
    const out = join(tmp, "bun.xml");
    const r = spawnSync(bin("bun"), [
      "test",
      "--timeout=60000",
      "--reporter=junit",
      `--reporter-outfile=${out}`,
      ...files.map((f) => "./" + f),
    ], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 });
    return { r, xml: safeRead(out) };
  },
  node: () => {
    const out = join(tmp, "node.xml");
    const r = spawnSync(process.execPath, [
      "--import",
      "tsx",
      "--test",
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=junit",
      `--test-reporter-destination=${out}`,
      ...files,
    ], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 });
    return { r, xml: safeRead(out) };
  },
};

function safeRead(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const runtime of only) {
  const started = Date.now();
  const { r, xml, leafOnly } = runners[runtime]();
  let cases = parseJunit(xml);
  if (leafOnly) {
    // Deno reports each describe() as a test case too; keep only the leaves.
    const names = cases.map((c) => c.name);
    cases = cases.filter((c) => !names.some((n) => n.startsWith(c.name + " > ")));
  }
  const f = cases.filter((c) => c.failed);
  const s = cases.filter((c) => c.skipped && !c.failed);
  const p = cases.length - f.length - s.length;
  const crashed = r.status !== 0 && f.length === 0;
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (f.length > 0 || crashed) {
    process.stdout.write(`\n----- ${runtime} output -----\n${output.slice(-20000)}\n`);
    for (const c of f) process.stdout.write(`FAILED [${runtime}] ${c.name}\n`);
  }
  const extra = crashed
    ? ` (runner exited ${r.status ?? r.signal} without a failing test: counted as 1 failure)`
    : "";
  console.log(
    `${runtime.padEnd(5)} ${p} passed, ${f.length} failed, ${s.length} skipped in ${
      ((Date.now() - started) / 1000).toFixed(1)
    }s${extra}`,
  );
  passed += p;
  failed += f.length + (crashed ? 1 : 0);
  skipped += s.length;
}
rmSync(tmp, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
