/**
 * What a `workflow` process loads at start-up: a plain `workflow run` loads the engine and the
 * stage kinds, and none of the scheduler's `croner`, the server (`hono`), the PostgreSQL
 * driver, the full YAML parser, the span builder, the trace writer or another host's adapter;
 * `workflow version` loads not even the engine. On Deno, no module it loads imports `node:`
 * (the Node compatibility layer is a large share of a short command's start-up).
 *
 * The modules are the ones Deno's coverage lists for the process, dynamic imports included,
 * so the check holds whichever runtime runs the suite.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const deno = (globalThis as { Deno?: unknown }).Deno !== undefined
  ? process.execPath
  : join(root, "node_modules", ".bin", "deno");

/** Runs `workflow <args>` on Deno and returns its exit, output and the modules it loaded. */
function loadedBy(
  args: string[],
): { code: number | null; stdout: string; stderr: string; modules: string[] } {
  const coverage = mkdtempSync(join(tmpdir(), "wf-startup-"));
  try {
    const result = spawnSync(
      deno,
      ["run", "-A", `--coverage=${coverage}`, join(root, "src/cli/bin.ts"), ...args],
      { cwd: root, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } },
    );
    const modules = readdirSync(coverage)
      .map((file) =>
        (JSON.parse(readFileSync(join(coverage, file), "utf8")) as { url: string }).url
      )
      .filter((url) => url.startsWith("file://"))
      .map((url) => new URL(url).pathname)
      .map((path) => path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path)
      .sort();
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, modules };
  } finally {
    rmSync(coverage, { recursive: true, force: true });
  }
}

/** Loaded modules that should not be: npm packages by name, our modules by path. */
function unwanted(modules: string[], forbidden: RegExp[]): string[] {
  return modules.filter((path) => forbidden.some((pattern) => pattern.test(path)));
}

/** Loaded modules of ours that import a `node:` module statically. */
function nodeImporters(modules: string[]): string[] {
  return modules.filter((path) =>
    path.startsWith("src/") &&
    /^\s*import\s[^;]*?\sfrom\s+"node:/m.test(readFileSync(join(root, path), "utf8"))
  );
}

const npmPackage = (name: string) => new RegExp(`node_modules/${name}/`);

/** Nothing a plain run uses. */
const NOT_FOR_A_RUN = [
  npmPackage("croner"),
  npmPackage("hono"),
  npmPackage("@hono/node-server"),
  npmPackage("postgres"),
  npmPackage("yaml"),
  npmPackage("@dagrejs/dagre"),
  npmPackage("@opentelemetry/api"),
  /^src\/api\//,
  /^src\/scheduler\/cron\.ts$/,
  /^src\/scheduler\/(?!_cron_syntax|_zone|cron_check)\w+\.ts$/,
  /^src\/telemetry\/(otel|metrics|prometheus)\.ts$/,
  /^src\/results\/(trace_writer|file_\w+|memory_\w+|sqlite_\w+|postgres_\w+)\.ts$/,
  /^src\/runtime\/(node|bun|memory|fake_clock|_node_\w+)\.ts$/,
  /^src\/config\/yaml_full\.ts$/,
  /^src\/worker\/(pool|protocol|context_sync)\.ts$/,
  /^src\/cli\/(scheduler|server|worker)_commands\.ts$/,
];

describe("modules a workflow process loads", () => {
  it("a plain `workflow run` loads no croner, hono, store driver, span builder or other host", () => {
    const run = loadedBy(["run", "demo-hello", "--conf", "conf", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).status, "SUCCESS");
    assert.ok(run.modules.includes("src/engine.ts"), run.modules.join("\n"));
    assert.ok(run.modules.includes("src/stages/shell.ts"), run.modules.join("\n"));
    assert.deepEqual(unwanted(run.modules, NOT_FOR_A_RUN), []);
    assert.deepEqual(nodeImporters(run.modules), []);
  });

  it("a run of a workflow with schedules checks its cron without croner", () => {
    const conf = mkdtempSync(join(tmpdir(), "wf-startup-conf-"));
    try {
      writeFileSync(
        join(conf, "sched.yml"),
        [
          "nightly:",
          "  type: Workflow",
          "  on:",
          "    - cronjob: '30 2 * * *'",
          "      timezone: Asia/Bangkok",
          "  jobs:",
          "    first:",
          "      stages:",
          "        - name: Hello",
          "          echo: hello",
          "bad-cron:",
          "  type: Workflow",
          "  on:",
          "    - cronjob: '61 * * * *'",
          "  jobs:",
          "    first:",
          "      stages:",
          "        - name: Hello",
          "          echo: hello",
          "",
        ].join("\n"),
      );
      const ok = loadedBy(["run", "nightly", "--conf", conf, "--json"]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(JSON.parse(ok.stdout).status, "SUCCESS");
      assert.deepEqual(unwanted(ok.modules, NOT_FOR_A_RUN), []);

      const bad = loadedBy(["run", "bad-cron", "--conf", conf]);
      assert.equal(bad.code, 2);
      assert.equal(bad.stdout, "");
      assert.match(bad.stderr, /^error: invalid config\n/);
      assert.match(bad.stderr, /sched\.yml:14:\d+ .*minute value 61 is out of range 0-59/);
      assert.deepEqual(unwanted(bad.modules, NOT_FOR_A_RUN), []);
    } finally {
      rmSync(conf, { recursive: true, force: true });
    }
  });

  it("`workflow version` loads neither the engine nor the config reader", () => {
    const version = loadedBy(["version"]);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^workflow \d+\.\d+\.\d+\S* \(deno\)\n$/);
    assert.deepEqual(
      unwanted(version.modules, [
        ...NOT_FOR_A_RUN,
        /^src\/engine\.ts$/,
        /^src\/config\//,
        /^src\/executor\//,
        /^src\/stages\//,
        /^src\/cli\/_args\.ts$/,
      ]),
      [],
    );
    assert.deepEqual(nodeImporters(version.modules), []);
  });
});
