#!/usr/bin/env node
// Compares the executor benchmarks and the first lookup of a fresh config index
// (`e-first-lookup`) of a git revision with the working tree, both in one process per runtime
// (tests/bench/compare_bench.ts), so machine noise hits both alike.
// `node scripts/bench_compare.mjs REV [--only deno,bun,node] [--cases a-stages,b-jobs]
// [--rounds 30]`. Prints one table: case, runtime, µs per item at REV and now, change.
// The revision is checked out in a temporary git worktree, removed afterwards.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { printTable } from "./_table.mjs";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const runtimes = (option("--only") ?? "deno,bun,node").split(",");
const cases = option("--cases");
const rounds = option("--rounds") ?? "30";
const [rev] = args;
if (!rev || args.length !== 1) {
  console.error(
    "usage: node scripts/bench_compare.mjs REV [--only deno] [--cases a-stages] [--rounds N]",
  );
  process.exit(2);
}

const git = (...argv) => spawnSync("git", argv, { cwd: root, encoding: "utf8" });
const sha = git("rev-parse", "--short", "--verify", `${rev}^{commit}`);
if (sha.status !== 0) {
  console.error(`bench_compare: '${rev}' is not a revision of this repository`);
  process.exit(2);
}
const before = join(mkdtempSync(join(tmpdir(), "wf-bench-compare-")), "tree");
const added = git("worktree", "add", "--detach", before, rev);
if (added.status !== 0) {
  console.error(`bench_compare: could not check out ${rev}: ${added.stderr}`);
  process.exit(1);
}

const bin = (name) => join(root, "node_modules", ".bin", name);
const commands = {
  deno: [bin("deno"), ["run", "-A"]],
  bun: [bin("bun"), []],
  node: [process.execPath, ["--import", "tsx"]],
};
const rows = [];
let failures = 0;
try {
  symlinkSync(join(root, "node_modules"), join(before, "node_modules"));
  for (const runtime of runtimes) {
    const [cmd, pre] = commands[runtime];
    const extra = ["--rounds", rounds, ...(cases ? ["--cases", cases] : [])];
    process.stderr.write(`  ${runtime}\n`);
    const r = spawnSync(cmd, [...pre, "tests/bench/compare_bench.ts", before, root, ...extra], {
      cwd: root,
      encoding: "utf8",
      timeout: 600_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    if (r.status !== 0) {
      failures++;
      process.stderr.write(
        `  FAILED on ${runtime} (exit ${r.status ?? r.signal})\n${r.stderr.slice(-2000)}\n`,
      );
      continue;
    }
    for (const line of r.stdout.split("\n")) {
      if (line.startsWith("{")) rows.push({ runtime, ...JSON.parse(line) });
    }
  }
} finally {
  git("worktree", "remove", "--force", before);
  rmSync(join(before, ".."), { recursive: true, force: true });
}

const header = ["case", "runtime", `${sha.stdout.trim()} µs`, "now µs", "change"];
const table = rows.map((r) => [
  r.case,
  r.runtime,
  r.beforeUs.toFixed(2),
  r.afterUs.toFixed(2),
  `${r.afterUs >= r.beforeUs ? "+" : ""}${((r.afterUs / r.beforeUs - 1) * 100).toFixed(1)} %`,
]);
printTable(header, table);
if (failures) process.exit(1);
