import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { detectRuntime } from "../../src/runtime/mod.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { runCliCaptured, runtimeWithEnv } from "../_helpers.ts";

const real = detectRuntime();
const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** A runtime whose environment has `env` on top of the process's. */
const withEnv = (env: Record<string, string>) => runtimeWithEnv(env, real);
const cli = (args: string[], runtime: Runtime = real) => runCliCaptured(args, runtime);

async function tempDir(): Promise<string> {
  const dir = `/tmp/wf-cli-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  await real.fs.mkdir(dir);
  return dir;
}

const PARAMS_WF = `
typed:
  type: Workflow
  params:
    name: str
    count: {type: int, default: 1}
  jobs:
    a:
      stages:
        - name: show
          id: show
          echo: "\${{ params.name }} x\${{ params.count }}"
`;

describe("workflow CLI", () => {
  it("runs the demo workflow and prints a parseable Result with --json", async () => {
    const { code, stdout, stderr } = await cli([
      "run",
      "demo-hello",
      "--conf",
      `${root}/conf`,
      "--json",
    ]);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.status, "SUCCESS");
    assert.match(result.run_id, /^\d{20}T\d{10}$/);
    assert.equal(result.parent_run_id, null);
    assert.equal(result.context.jobs.greet.stages.count.outputs.stdout, "5");
    assert.deepEqual(Object.keys(result.context.jobs.report.strategies).sort(), [
      "0870953052",
      "4637885294",
    ]);
  });

  it("shows live progress per job and stage without --json", async () => {
    const { code, stdout } = await cli([
      "run",
      "demo-hello",
      "--conf",
      `${root}/conf`,
      "-p",
      "name=ada",
    ]);
    assert.equal(code, 0);
    assert.match(stdout, /▶ demo-hello \(run \d{20}T\d{10}\)/);
    assert.match(stdout, /✓ Greet SUCCESS \(\d+ ms\)/);
    assert.match(stdout, /│ Echo 'Greet': Hello Ada/);
    assert.match(stdout, /✓ job report SUCCESS/);
    assert.match(stdout, /✓ demo-hello SUCCESS/);
  });

  it("coerces --params values to the declared type", async () => {
    const dir = await tempDir();
    await real.fs.writeText(`${dir}/wf.yml`, PARAMS_WF);
    const { code, stdout } = await cli([
      "run",
      "typed",
      "--conf",
      dir,
      "--json",
      "--params",
      '{"name": 1, "count": "7"}',
    ]);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout).context.params, { name: "1", count: 7 });
    await real.fs.remove(dir);
  });

  it("rejects a param that cannot be coerced with exit 2, naming it, without a stack trace", async () => {
    const dir = await tempDir();
    await real.fs.writeText(`${dir}/wf.yml`, PARAMS_WF);
    const { code, stdout, stderr } = await cli([
      "run",
      "typed",
      "--conf",
      dir,
      "-p",
      "name=x",
      "-p",
      "count=abc",
      "--json",
    ]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.match(stderr, /count/);
    assert.match(stderr, /abc/);
    assert.doesNotMatch(stderr, /\n\s+at /);
    await real.fs.remove(dir);
  });

  it("fails with exit 1 when the workflow fails", async () => {
    const dir = await tempDir();
    await real.fs.writeText(
      `${dir}/wf.yml`,
      "bad:\n  type: Workflow\n  jobs:\n    a:\n      stages:\n        - name: boom\n          raise: no luck\n",
    );
    const { code, stdout } = await cli(["run", "bad", "--conf", dir]);
    assert.equal(code, 1);
    assert.match(stdout, /✗ boom FAILED .* — no luck/);
    await real.fs.remove(dir);
  });

  it("lists every problem of a broken config folder as file:line:col path: message, exit 2", async () => {
    const { code, stdout } = await cli([
      "validate",
      "--conf",
      `${root}/tests/fixtures/config/hostile`,
    ]);
    assert.equal(code, 2);
    const lines = stdout.trim().split("\n");
    assert.match(lines.at(-1)!, /✗ \d+ problems found/);
    for (
      const expected of [
        /^alias_bomb\.yml:\d+:\d+: too many YAML alias expansions/m,
        /^bad_param\.yml:\d+:\d+ params\.name: unknown param type 'string'/m,
        /^bad_yaml\.yml:\d+:\d+: /m,
        /^cycle\.yml:\d+:\d+ jobs\.b\.needs: dependency cycle: a -> c -> b -> a/m,
        /^dup_keys\.yml:\d+:\d+: duplicate key 'a'/m,
        /template 'wf-duplicate' is defined twice: in dup_a\.yml:1 and more\/dup_b\.yaml:2/m,
        /^unknown_key\.yml:\d+:\d+ jobs\.first\.stages\[0\]: unknown key 'ech'; did you mean 'echo'\?/m,
        /^unknown_needs\.yml:\d+:\d+ jobs\.load\.needs: needs unknown job 'extrct'; did you mean 'extract'\?/m,
      ]
    ) {
      assert.match(stdout, expected);
    }
  });

  it("validate reports uses: targets the registry cannot resolve, with file and line", async () => {
    const dir = await tempDir();
    await real.fs.writeText(
      `${dir}/conf/wf.yml`,
      "wf:\n  type: Workflow\n  jobs:\n    a:\n      stages:\n" +
        "        - name: typo\n          uses: tasks/get-itmes@demo\n" +
        "        - name: loop\n          foreach: [1]\n          stages:\n" +
        "            - name: inner\n              uses: tasks/get-items@nope\n",
      { createDirs: true },
    );
    const { code, stdout } = await cli(["validate", "--conf", `${dir}/conf`]);
    assert.equal(code, 2);
    assert.match(
      stdout,
      /^wf\.yml:6:11 jobs\.a\.stages\[0\]\.uses: task 'get-itmes' not found in group 'tasks'; it has: .*get-items/m,
    );
    assert.match(
      stdout,
      /^wf\.yml:11:15 jobs\.a\.stages\[1\]\.stages\[0\]\.uses: task 'tasks\/get-items' has no tag 'nope'; tags: demo$/m,
    );
    await real.fs.remove(dir);
  });

  it("validates the shipped conf folder cleanly, without a single warning", async () => {
    const { code, stdout } = await cli(["validate", "--conf", `${root}/conf`]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /✓ \d+ templates? in .* are valid\n$/);
    assert.doesNotMatch(stdout, /warning/);
  });

  it("validate warns about a str param pasted unquoted into shell code, and still exits 0", async () => {
    const dir = await tempDir();
    await real.fs.writeText(
      `${dir}/wf.yml`,
      "wf:\n  type: Workflow\n  params:\n    name: str\n    n: int\n  jobs:\n    a:\n" +
        "      stages:\n        - name: greet\n" +
        '          bash: echo "${{ params.name }}" ${{ params.n }} ${{ params.name | shell_quote }}\n',
    );
    const { code, stdout } = await cli(["validate", "--conf", dir]);
    assert.equal(code, 0, stdout);
    const lines = stdout.trim().split("\n");
    assert.equal(lines.length, 2, stdout);
    assert.match(
      lines[0],
      /^wf\.yml:10:23 jobs\.a\.stages\[0\]\.bash: warning: \$\{\{ params\.name \}\} pastes a str param into shell code unquoted.*pass it through env: .* or write \$\{\{ params\.name \| shell_quote \}\}$/,
    );
    assert.match(lines[1], /^✓ 1 template in .* are valid \(1 warning\)$/);
    const json = await cli(["validate", "--conf", dir, "--json"]);
    assert.equal(json.code, 0);
    const report = JSON.parse(json.stdout);
    assert.equal(report.ok, true);
    assert.equal(report.issues[0].severity, "warning");
    await real.fs.remove(dir);
  });

  it("runs demo-hello with a shell-injection payload as a name: counted, never executed", async () => {
    const dir = await tempDir();
    const marker = `${dir}/pwned`;
    const name = `x"; id -un > ${marker}; echo "`;
    const { code, stdout, stderr } = await cli([
      "run",
      "demo-hello",
      "--conf",
      `${root}/conf`,
      "--json",
      "-p",
      `name=${name}`,
    ]);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.context.jobs.greet.stages.count.outputs.stdout, String(name.length));
    assert.equal(await real.fs.stat(marker), null, "the payload ran a command");
    await real.fs.remove(dir);
  });

  it("lists, shows, prints the schema and the version", async () => {
    const list = await cli(["list", "--conf", `${root}/conf`]);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^demo-hello\s+Workflow$/m);
    const show = await cli(["show", "demo-hello", "--conf", `${root}/conf`]);
    assert.equal(show.code, 0);
    assert.match(show.stdout, /name: str \(default "world"\)/);
    assert.match(show.stdout, /report needs greet matrix env/);
    const schema = await cli(["schema"]);
    assert.equal(schema.code, 0);
    assert.equal(JSON.parse(schema.stdout).$schema, "http://json-schema.org/draft-07/schema#");
    const version = await cli(["version"]);
    assert.match(version.stdout, /^workflow \d+\.\d+\.\d+ \((deno|bun|node)\)\n$/);
  });

  it("init creates a valid starter config and never overwrites existing files", async () => {
    const dir = await tempDir();
    await real.fs.writeText(`${dir}/tasks/mod.ts`, "// mine\n", { createDirs: true });
    const first = await cli(["init", dir]);
    assert.equal(first.code, 0);
    assert.match(first.stdout, /created {2}.*conf\/examples\/hello\.yml/);
    assert.match(first.stdout, /exists {3}.*tasks\/mod\.ts \(left as it is\)/);
    assert.equal(await real.fs.readText(`${dir}/tasks/mod.ts`), "// mine\n");
    // Point the starter task module at this checkout (a user's project has the package).
    await real.fs.remove(`${dir}/tasks/mod.ts`);
    await cli(["init", dir]);
    const tasks = await real.fs.readText(`${dir}/tasks/mod.ts`);
    await real.fs.writeText(
      `${dir}/tasks/mod.ts`,
      tasks.replace('"@ddeutil/workflow"', JSON.stringify(`${root}/mod.ts`)),
    );
    await real.fs.writeText(`${dir}/package.json`, '{"type": "module"}');
    const valid = await cli(
      ["validate", "--conf", `${dir}/conf`],
      withEnv({ WORKFLOW_CORE_REGISTRY_CALLER: dir }),
    );
    assert.equal(valid.code, 0, valid.stdout);
    const ran = await cli(
      ["run", "hello", "--conf", `${dir}/conf`, "--json"],
      withEnv({ WORKFLOW_CORE_REGISTRY_CALLER: dir }),
    );
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.deepEqual(JSON.parse(ran.stdout).context.jobs.greet.stages.items.outputs, {
      items: [1, 2, 3],
    });
    const again = await cli(["init", dir]);
    assert.doesNotMatch(again.stdout, /created/);
    await real.fs.remove(dir);
  });

  it("answers an unknown workflow with exit 2 and close names", async () => {
    const { code, stderr } = await cli(["run", "demo-helo", "--conf", `${root}/conf`]);
    assert.equal(code, 2);
    assert.match(stderr, /demo-helo/);
    assert.match(stderr, /demo-hello/);
  });

  it("answers bad usage with exit 2 and the usage text", async () => {
    for (
      const args of [["frobnicate"], ["run"], ["run", "x", "--nope"], [
        "run",
        "x",
        "--params",
        "{oops",
      ]]
    ) {
      const { code, stderr } = await cli(args);
      assert.equal(code, 2, args.join(" "));
      assert.match(stderr, /^error: /);
    }
  });
});

describe("hostile --params", () => {
  it("refuses --params nested 20,000 levels deep with a clear error instead of a stack overflow", async () => {
    const dir = await tempDir();
    await real.fs.writeText(`${dir}/wf.yml`, PARAMS_WF);
    const deep = `{"name": "x", "tree": ${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
    const { code, stderr } = await cli(["run", "typed", "--conf", dir, "--params", deep]);
    assert.equal(code, 2, stderr);
    assert.match(
      stderr,
      /^error: --params nests deeper than 200 levels \(at tree\[0\]\[0\]\[0\]….*\); pass flatter data/,
    );
    assert.doesNotMatch(stderr, /call stack/);
    await real.fs.remove(dir);
  });
});

describe("secrets and traces through the CLI", () => {
  it("never shows a secret param or env secret in output, traces or the Result, but shows other values", async () => {
    const dir = await tempDir();
    await real.fs.writeText(
      `${dir}/conf/wf.yml`,
      `
secretive:
  type: Workflow
  params:
    user: str
    password: secret
  jobs:
    a:
      stages:
        - name: use
          id: use
          echo: "login \${{ params.user }} with \${{ params.password }} and key \${API_KEY_FOR_TEST}"
        - name: shell
          id: shell
          bash: echo "pw=\${{ params.password }} user=\${{ params.user }}"
`,
      { createDirs: true },
    );
    const runtime = withEnv({
      API_KEY_FOR_TEST: "key-5f2c9a",
      WORKFLOW_LOG_TRACE_ENABLE_WRITE: "true",
      WORKFLOW_LOG_TRACE_PATH: `${dir}/logs`,
    });
    const args = [
      "run",
      "secretive",
      "--conf",
      `${dir}/conf`,
      "-p",
      "user=alice",
      "-p",
      "password=hunter2-x",
    ];
    const human = await cli(args, runtime);
    const json = await cli([...args, "--json"], runtime);
    assert.equal(human.code, 0, human.stderr);
    assert.equal(json.code, 0, json.stderr);
    const files = await real.fs.listFiles(`${dir}/logs`);
    assert.ok(files.length >= 2, "trace files were written");
    let traces = "";
    for (const file of files) traces += await real.fs.readText(file);
    for (const text of [human.stdout, json.stdout, traces]) {
      assert.doesNotMatch(text, /hunter2-x/);
      assert.doesNotMatch(text, /key-5f2c9a/);
      assert.match(text, /alice/);
    }
    const result = JSON.parse(json.stdout);
    assert.equal(result.context.params.password, "***");
    assert.equal(result.context.jobs.a.stages.shell.outputs.stdout, "pw=*** user=alice");

    const runs = await cli(["runs", "--conf", `${dir}/conf`], runtime);
    assert.equal(runs.code, 0);
    assert.match(runs.stdout, new RegExp(`^${result.run_id}  .*SUCCESS .*secretive$`, "m"));
    const logs = await cli(["logs", result.run_id], runtime);
    assert.equal(logs.code, 0);
    assert.match(logs.stdout, /login alice with \*\*\* and key \*\*\*/);
    await real.fs.remove(dir);
  });

  it("keeps secrets out of release audit files", async () => {
    const dir = await tempDir();
    await real.fs.writeText(
      `${dir}/conf/wf.yml`,
      `
audited:
  type: Workflow
  params:
    user: str
    token: secret
  jobs:
    a:
      stages:
        - name: call
          id: call
          bash: echo "user=\${{ params.user }} token=\${{ params.token }} env=\${ENV_SECRET_FOR_AUDIT}"
`,
      { createDirs: true },
    );
    const runtime = withEnv({
      ENV_SECRET_FOR_AUDIT: "env-9d1e7b",
      WORKFLOW_LOG_AUDIT_ENABLE_WRITE: "true",
      WORKFLOW_LOG_AUDIT_PATH: `${dir}/audits`,
    });
    const out = await cli([
      "release",
      "audited",
      "--conf",
      `${dir}/conf`,
      "--date",
      "2026-03-08T02:30:00Z",
      "-p",
      "user=bob",
      "-p",
      "token=tok-31a8f0",
      "--json",
    ], runtime);
    assert.equal(out.code, 0, out.stderr);
    const all = await real.fs.listFiles(`${dir}/audits`);
    // Beside the audit: the release's claim, made before it ran.
    const claims = all.filter((file) => file.includes("/.claims/"));
    assert.deepEqual(claims, [
      `${dir}/audits/.claims/workflow=audited/${Date.UTC(2026, 2, 8, 2, 30)}`,
    ]);
    const files = all.filter((file) => !claims.includes(file));
    assert.equal(files.length, 1);
    assert.match(files[0], /workflow=audited\/release=20260308023000\/\d{20}T\d{10}\.json$/);
    const audit = await real.fs.readText(files[0]);
    for (const text of [audit, out.stdout]) {
      assert.doesNotMatch(text, /tok-31a8f0/);
      assert.doesNotMatch(text, /env-9d1e7b/);
      assert.match(text, /user=bob token=\*\*\* env=\*\*\*/);
    }
    await real.fs.remove(dir);
  });

  it("says how to turn traces on when runs are asked for without a store", async () => {
    const { code, stderr } = await cli(
      ["runs"],
      withEnv({ WORKFLOW_LOG_TRACE_ENABLE_WRITE: "false" }),
    );
    assert.equal(code, 2);
    assert.match(stderr, /WORKFLOW_LOG_TRACE_ENABLE_WRITE=true/);
  });
});
