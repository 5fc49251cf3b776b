#!/usr/bin/env node
// The quality gate: format, lint, type check, doc lint, doc examples, layer check, JSR publish dry
// run, then the whole test suite.
// Runs the Deno that `npm ci` installed, so it needs nothing else. Usage: node scripts/ok.mjs
// [--no-tests]. Exits non-zero when any step fails (every step still runs and is reported).
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const deno = join(root, "node_modules", ".bin", "deno");
// The package's entry points (deno.json `exports`).
const entries = ["mod.ts", "core.ts", "events.ts", "stores.ts", "scheduler.ts", "testing.ts"];
const steps = [
  ["format", deno, ["fmt", "--check"]],
  ["lint", deno, ["lint"]],
  ["type check", deno, ["check", ...entries, "src/", "scripts/", "tests/"]],
  ["doc lint", deno, ["doc", "--lint", ...entries]],
  // Every `@example` in JSDoc must type-check against today's API.
  ["doc examples", deno, [
    "check",
    "--doc-only",
    ...entries,
    "src/",
    "scripts/",
    "tests/",
  ]],
  ["layer check", deno, ["run", "-A", "scripts/check_layers.ts"]],
  // Offline: checks slow types and lists what JSR would receive (tests/packaging asserts the list).
  ["publish dry run", deno, ["publish", "--dry-run", "--allow-dirty"]],
];
if (!process.argv.includes("--no-tests")) {
  steps.push(["tests", process.execPath, [join(root, "scripts", "test_all.mjs")]]);
}

let failed = 0;
for (const [name, command, args] of steps) {
  const started = Date.now();
  const r = spawnSync(command, args, {
    cwd: root,
    stdio: name === "tests" ? "inherit" : "pipe",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const ok = r.status === 0;
  if (!ok) {
    failed++;
    if (name !== "tests") process.stdout.write(`${r.stdout ?? ""}${r.stderr ?? ""}`);
  }
  console.log(`${ok ? "✓" : "✗"} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
process.exit(failed ? 1 : 0);
