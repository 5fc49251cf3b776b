import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { STAGE_SYNTAX } from "../../src/stages/kinds.ts";
import { stageOf } from "./_helpers.ts";

describe("STAGE_SYNTAX.kindOf()", () => {
  it("picks the kind by distinguishing key with the documented priority", () => {
    const kinds = [
      [{ bash: "x", run: "y" }, "shell"],
      [{ sh: "x" }, "shell"],
      [{ uses: "a/b@c", trigger: "w" }, "call"],
      [{ trigger: "w", foreach: [] }, "trigger"],
      [{ foreach: [], until: "x" }, "foreach"],
      [{ until: "x", parallel: {} }, "until"],
      [{ parallel: {}, case: "x" }, "parallel"],
      [{ case: "x", match: [], run: "y" }, "case"],
      [{ run: "x", raise: "y" }, "run"],
      [{ raise: "x", image: "y" }, "raise"],
      [{ image: "alpine" }, "docker"],
      [{ echo: "hi" }, "empty"],
    ] as const;
    for (const [raw, kind] of kinds) {
      assert.equal(STAGE_SYNTAX.kindOf(raw).kind.kind, kind, JSON.stringify(raw));
    }
  });
});

describe("parseStage()", () => {
  it("reads the common fields: id, name, desc, if, timeout, retry, continue-on-error", () => {
    const { stage, issues } = stageOf({
      name: "Greet",
      id: "greet",
      desc: "  says\n  hello",
      if: "params.x == 1",
      timeout: "1h30m",
      retry: { attempts: 4, delay: "10s", backoff: 3, "max-delay": "5m" },
      "continue-on-error": true,
      echo: "hi",
    });
    assert.deepEqual(issues, []);
    assert.deepEqual(stage, {
      kind: "empty",
      name: "Greet",
      id: "greet",
      desc: "says\nhello",
      if: "params.x == 1",
      timeoutMs: 5_400_000,
      retry: { attempts: 4, delayMs: 10_000, backoff: 3, maxDelayMs: 300_000 },
      continueOnError: true,
      echo: "hi",
      source: { path: "stages[0]" },
    });
  });

  it("reads a bare retry number as attempts and a numeric timeout as seconds", () => {
    const { stage } = stageOf({ name: "x", echo: "x", retry: 3, timeout: 30, if: false });
    assert.deepEqual(stage?.retry, { attempts: 3, delayMs: 1000, backoff: 2, maxDelayMs: 60_000 });
    assert.equal(stage?.timeoutMs, 30_000);
    assert.equal(stage?.if, false);
  });

  it("parses an empty stage with a template sleep", () => {
    const { stage, issues } = stageOf({ name: "x", sleep: "${{ params.wait }}" });
    assert.deepEqual(issues, []);
    assert.equal(stage?.kind === "empty" && stage.sleep, "${{ params.wait }}");
  });

  it("parses shell stages from bash and sh with env and cwd", () => {
    const bash = stageOf({ name: "b", bash: "  echo 1\n  echo 2\n", env: { A: 1 }, cwd: "/tmp" });
    assert.deepEqual(bash.issues, []);
    assert.ok(bash.stage?.kind === "shell");
    assert.equal(bash.stage.shell, "bash");
    assert.equal(bash.stage.script, "echo 1\necho 2\n");
    assert.deepEqual(bash.stage.env, { A: 1 });
    assert.equal(bash.stage.cwd, "/tmp");
    const sh = stageOf({ name: "s", sh: "echo" });
    assert.ok(sh.stage?.kind === "shell" && sh.stage.shell === "sh");
  });

  it("rejects env: names that are not variable names and values that are not text", () => {
    const { issues } = stageOf({
      name: "b",
      bash: "echo",
      env: { RUN_DATE: "${{ params.d }}", "9LIVES": "x", "A-B": "y", LIST: [1] },
    });
    assert.deepEqual(issues, [
      "stages[0].env.9LIVES: '9LIVES' is not an environment variable name; use letters, " +
      "digits and '_', not starting with a digit (e.g. RUN_DATE)",
      "stages[0].env.A-B: 'A-B' is not an environment variable name; use letters, " +
      "digits and '_', not starting with a digit (e.g. RUN_DATE)",
      "stages[0].env.LIST: expected text (a string, number, boolean or template), got a list",
    ]);
  });

  it("parses run, call, trigger, raise and docker stages", () => {
    const run = stageOf({ name: "r", run: "return {a: 1}", lang: "python", vars: { x: 1 } });
    assert.deepEqual(run.issues, []);
    assert.ok(run.stage?.kind === "run" && run.stage.lang === "python");
    const call = stageOf({ name: "c", uses: "tasks/get@v1", args: { n: 1 } });
    assert.deepEqual(call.issues, []);
    assert.ok(call.stage?.kind === "call");
    assert.deepEqual(call.stage.with, { n: 1 });
    const trigger = stageOf({ name: "t", trigger: "child", params: { a: 1 } });
    assert.ok(trigger.stage?.kind === "trigger" && trigger.stage.trigger === "child");
    const raise = stageOf({ name: "x", raise: "boom" });
    assert.ok(raise.stage?.kind === "raise" && raise.stage.message === "boom");
    const docker = stageOf({ name: "d", image: "alpine", tag: "3", volume: { a: "b" } });
    assert.deepEqual(docker.issues, []);
    assert.ok(docker.stage?.kind === "docker" && docker.stage.tag === "3");
  });

  it("rejects a malformed uses and an unknown language", () => {
    const { issues } = stageOf({ name: "c", uses: "get-items", lang: "js" });
    assert.deepEqual(issues, [
      "stages[0]: key 'lang' does not belong to a call stage (chosen by 'uses')",
      "stages[0].uses: expected 'group/function@tag' (e.g. tasks/get-items@demo), got 'get-items'",
    ]);
    assert.deepEqual(stageOf({ name: "r", run: "x", lang: "ruby" }).issues, [
      "stages[0].lang: unknown language 'ruby'; expected javascript or python",
    ]);
  });

  it("parses parallel branches with nested stages and max-workers", () => {
    const { stage, issues } = stageOf({
      name: "p",
      parallel: { a: [{ name: "a1", echo: 1 }], b: [{ name: "b1", bash: "x" }] },
      "max-workers": "${{ params.n }}",
    });
    assert.deepEqual(issues, []);
    assert.ok(stage?.kind === "parallel");
    assert.deepEqual(Object.keys(stage.parallel), ["a", "b"]);
    assert.equal(stage.parallel.b[0].kind, "shell");
    assert.equal(stage.maxWorkers, "${{ params.n }}");
    const defaults = stageOf({ name: "p", parallel: {} }).stage;
    assert.ok(defaults?.kind === "parallel" && defaults.maxWorkers === 2);
  });

  it("parses foreach and until with their defaults", () => {
    const each = stageOf({
      name: "f",
      foreach: "${{ params.items }}",
      stages: [{ name: "i", echo: 1 }],
    });
    assert.deepEqual(each.issues, []);
    assert.ok(each.stage?.kind === "foreach");
    assert.equal(each.stage.concurrent, 1);
    assert.equal(each.stage.useIndexAsKey, false);
    const until = stageOf({ name: "u", until: "item > 3", stages: [{ name: "i", echo: 1 }] });
    assert.ok(until.stage?.kind === "until");
    assert.equal(until.stage.item, 0);
    assert.equal(until.stage.maxLoop, 10);
  });

  it("caps until max-loop at 10000 iterations, like the matrix cap", () => {
    const stages = [{ name: "i", echo: 1 }];
    const ok = stageOf({ name: "u", until: "item > 3", "max-loop": 10_000, stages });
    assert.deepEqual(ok.issues, []);
    assert.deepEqual(stageOf({ name: "u", until: "item > 3", "max-loop": 1e8, stages }).issues, [
      "stages[0].max-loop: max-loop 100000000 is over the limit of 10000 iterations (each loop " +
      "keeps its outputs in the run context); loop inside a task (uses:) or split the work",
    ]);
  });

  it("refuses an until stage whose condition is left empty", () => {
    const stages = [{ name: "i", echo: 1 }];
    assert.deepEqual(stageOf({ name: "u", until: null, stages }).issues, [
      "stages[0].until: expected a condition string or a boolean, got null",
    ]);
  });

  it("requires nested stages for foreach and until and a list for foreach", () => {
    assert.deepEqual(stageOf({ name: "f", foreach: 3 }).issues, [
      "stages[0].foreach: expected a list or a template that renders to a list, got a number (3)",
      "stages[0]: 'stages' is required (the nested stages to run)",
    ]);
  });

  it("parses case matches in the stages, single-stage and else forms", () => {
    const { stage, issues } = stageOf({
      name: "c",
      case: "${{ params.mode }}",
      "skip-not-match": true,
      match: [
        { case: 1, stages: [{ name: "one", echo: 1 }] },
        { case: "two", stage: { name: "two", echo: 2 } },
        { case: "_", stages: [{ name: "any", echo: 3 }] },
      ],
    });
    assert.deepEqual(issues, []);
    assert.ok(stage?.kind === "case");
    assert.deepEqual(stage.match.map((m) => [m.case, m.else, m.stages.length]), [
      [1, false, 1],
      ["two", false, 1],
      [undefined, true, 1],
    ]);
    assert.equal(stage.skipNotMatch, true);
  });

  it("allows only one else branch in a case", () => {
    const { issues } = stageOf({
      name: "c",
      case: "x",
      match: [{ else: [{ name: "a", echo: 1 }] }, { case: "_", stages: [{ name: "b", echo: 1 }] }],
    });
    assert.deepEqual(issues, [
      "stages[0].match[1]: only one else branch is allowed (another at match[0])",
    ]);
  });

  it("reports a missing name, bad timeout and bad retry", () => {
    const { issues } = stageOf({ echo: "x", timeout: "soon", retry: { delay: 1 } });
    assert.deepEqual(issues, [
      "stages[0]: 'name' is required",
      'stages[0].timeout: expected a duration (seconds as a number, or a string like "30s", "10m", "1h"), got a string ("soon")',
      "stages[0].retry: 'attempts' is required",
    ]);
  });

  it("reports duplicate stage ids in one list", async () => {
    const { buildWorkflow } = await import("../../src/config/loader.ts");
    assert.throws(
      () =>
        buildWorkflow("w", {
          jobs: { a: { stages: [{ name: "x", id: "s" }, { name: "y", id: "s" }, { name: "x" }] } },
        }),
      {
        message:
          "jobs.a.stages[1]: duplicate stage id 's' (also at stages[0]); give each stage a unique id",
      },
    );
  });
});
