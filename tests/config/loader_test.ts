import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildWorkflow, indexConfig, loadConfig } from "../../src/config/loader.ts";
import { ConfigError, formatIssue } from "../../src/errors.ts";
import { fixtureFiles, issuesOf, loadFixture, runtimeWith } from "./_fixture.ts";

const TYPES = "str, int, float, bool, datetime, date, choice, map, array, secret";

describe("loadConfig() on hostile fixtures", () => {
  it("reports a YAML syntax error with file, line and column", async () => {
    const config = await loadFixture("hostile");
    assert.deepEqual(issuesOf(config.validate(), "bad_yaml.yml"), [
      "bad_yaml.yml:6:9: Block collections are not allowed within flow collections",
      "bad_yaml.yml:7:1: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ]);
  });

  it("reports an unknown stage key with a did-you-mean hint", async () => {
    const config = await loadFixture("hostile");
    assert.deepEqual(issuesOf(config.validate(), "unknown_key.yml"), [
      "unknown_key.yml:7:11 jobs.first.stages[0]: unknown key 'ech'; did you mean 'echo'?",
      "unknown_key.yml:10:11 jobs.first.stages[1]: key 'run' does not belong to a shell stage (chosen by 'bash')",
      "unknown_key.yml:11:7 jobs.first: unknown key 'trigerr-rule'; did you mean 'trigger-rule'?",
    ]);
  });

  it("names a needs cycle as a -> c -> b -> a", async () => {
    const config = await loadFixture("hostile");
    assert.deepEqual(issuesOf(config.validate(), "cycle.yml"), [
      "cycle.yml:8:14 jobs.b.needs: dependency cycle: a -> c -> b -> a; remove one of these needs",
    ]);
  });

  it("reports each unknown need at its own position", async () => {
    const config = await loadFixture("hostile");
    assert.deepEqual(issuesOf(config.validate(), "unknown_needs.yml"), [
      "unknown_needs.yml:7:15 jobs.load.needs: needs unknown job 'extrct'; did you mean 'extract'?",
      "unknown_needs.yml:7:23 jobs.load.needs: needs unknown job 'transform'; jobs: extract, load",
    ]);
  });

  it("names both files when two templates share a name", async () => {
    const config = await loadFixture("hostile");
    const message = "more/dup_b.yaml:2:1 wf-duplicate: template 'wf-duplicate' is defined twice: " +
      "in dup_a.yml:1 and more/dup_b.yaml:2; rename one of them";
    assert.deepEqual(issuesOf(config.issues, "more/dup_b.yaml"), [message]);
    assert.throws(() => config.workflow("wf-duplicate"), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, message);
      return true;
    });
  });

  it("reports bad param declarations with the valid types", async () => {
    const config = await loadFixture("hostile");
    assert.deepEqual(issuesOf(config.validate(), "bad_param.yml"), [
      `bad_param.yml:4:11 params.name: unknown param type 'string'; valid types: ${TYPES}; did you mean 'str'?`,
      "bad_param.yml:6:7 params.mode: 'options' is required for a choice param",
      "bad_param.yml:7:28 params.when: unknown key 'requird'; did you mean 'required'?",
    ]);
  });

  it("rejects an alias bomb and a duplicate key", async () => {
    const config = await loadFixture("hostile");
    const issues = config.validate();
    assert.deepEqual(issuesOf(issues, "alias_bomb.yml"), [
      "alias_bomb.yml:2:8: too many YAML alias expansions (limit 50); anchors that reference " +
      "anchors grow exponentially (an alias bomb), so expand them by hand or reuse fewer aliases",
    ]);
    assert.deepEqual(issuesOf(issues, "dup_keys.yml"), [
      "dup_keys.yml:6:5: duplicate key 'a' (map keys must be unique)",
    ]);
  });

  it("checks templates: undeclared params, later stages, unknown jobs and filters", async () => {
    const config = await loadFixture("hostile");
    assert.deepEqual(issuesOf(config.validate(), "templates.yml"), [
      "templates.yml:8:27 jobs.first.stages[0].name: a stage name may only use ${{ matrix.* }} templates, not 'params.name'",
      "templates.yml:10:25 jobs.first.stages[0].echo: params.nmae is not a declared param (declared params: name); did you mean 'name'?",
      "templates.yml:10:52 jobs.first.stages[0].echo: stages.later is not an earlier stage of this job (no earlier stage has an id)",
      "templates.yml:13:44 jobs.first.stages[1].if: unexpected end of expression",
      "templates.yml:14:36 jobs.first.stages[1].echo: unknown filter 'nope'; filters are: abs, str, int, title, upper, lower, rstr, fmt, coalesce, getitem, getindex, keys, values, list, dict, shell_quote",
      "templates.yml:14:48 jobs.first.stages[1].echo: jobs.second is not a job of this workflow (jobs: first)",
    ]);
  });

  it("warns about str, secret and array params pasted unquoted into shell code, and still loads", async () => {
    const config = await loadFixture("hostile");
    const hint = (expression: string) =>
      "into shell code unquoted, so quotes or ';' in it run as commands; pass it through env: " +
      `(and use "$NAME") or write \${{ ${expression} | shell_quote }}`;
    const issues = config.validate().filter((issue) => issue.file === "shell_injection.yml");
    assert.deepEqual(issues.map(formatIssue), [
      "shell_injection.yml:16:19 jobs.first.stages[0].bash: warning: ${{ params.name }} pastes a " +
      `str param ${hint("params.name")}`,
      "shell_injection.yml:17:37 jobs.first.stages[0].bash: warning: ${{ params.token }} pastes a " +
      `secret param ${hint("params.token")}`,
      "shell_injection.yml:17:58 jobs.first.stages[0].bash: warning: ${{ params.files }} pastes " +
      `an array param ${hint("params.files")}`,
    ]);
    assert.ok(issues.every((issue) => issue.severity === "warning"));
    assert.equal(config.workflow("wf-shell-injection").jobs.first.stages.length, 2);
  });

  it("refuses an until max-loop over the cap with file, line and column", async () => {
    const config = await loadFixture("hostile");
    assert.deepEqual(issuesOf(config.validate(), "huge_loop.yml"), [
      "huge_loop.yml:10:21 jobs.first.stages[0].max-loop: max-loop 100000000 is over the limit " +
      "of 10000 iterations (each loop keeps its outputs in the run context); loop inside a task " +
      "(uses:) or split the work",
    ]);
  });

  it("reports a file nested 10,000 levels deep with its file, line and column", async () => {
    const config = await loadFixture("hostile");
    assert.deepEqual(issuesOf(config.validate(), "deep_nesting.yml"), [
      "deep_nesting.yml:5:205: nesting deeper than 200 levels (lists and mappings inside each " +
      "other); a workflow never needs that many, so flatten the data",
    ]);
  });

  it("skips files hidden by .confignore and files that are not YAML", async () => {
    const config = await loadFixture("hostile");
    assert.equal(config.get("wf-ignored"), undefined);
    assert.equal(config.get("wf-ignored-2"), undefined);
    const files = new Set(config.validate().map((issue) => issue.file));
    assert.ok(!files.has("notes.json"));
    assert.ok(![...files].some((file) => file?.includes("ignore")));
  });

  it("sorts validate() issues by file, line and column", async () => {
    const issues = (await loadFixture("hostile")).validate();
    const keys = issues.map((i) => [i.file ?? "", i.line ?? 0, i.column ?? 0] as const);
    const sorted = [...keys].sort((a, b) =>
      a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2]
    );
    assert.deepEqual(keys, sorted);
  });

  it("throws every issue of a workflow from workflow(name)", async () => {
    const config = await loadFixture("hostile");
    assert.throws(() => config.workflow("wf-unknown-key"), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.issues.length, 3);
      assert.match(error.message, /^unknown_key\.yml:7:11 jobs\.first\.stages\[0\]: unknown key/);
      return true;
    });
  });
});

describe("loadConfig() parses a file in full only when it is needed", () => {
  const GOOD = "good:\n  type: Workflow\n  jobs:\n    a:\n      stages: [{name: A, echo: a}]\n";
  const BROKEN = "broken:\n  type: Workflow\n  jobs:\n    a:\n      stages: [\n        - name: B\n";

  it("a lookup of a broken template reports the same file:line:col as validate", async () => {
    for (const name of ["wf-bad-yaml", "wf-unknown-key", "wf-dup-keys", "wf-templates"]) {
      const config = await loadFixture("hostile");
      const entry = config.get(name);
      assert.ok(entry, name);
      let thrown: ConfigError | undefined;
      try {
        config.workflow(name);
      } catch (error) {
        if (error instanceof ConfigError) thrown = error;
      }
      assert.ok(thrown, name);
      assert.deepEqual(
        thrown.issues.map(formatIssue),
        issuesOf(config.validate(), entry.file).filter((line) => !line.includes("warning")),
        name,
      );
    }
  });

  // Each side on an index of its own, so that neither reuses what the other built: the lookup
  // parses only its file (places read with the values), validate() every file.
  const PLAIN_BROKEN = {
    "plain.yml": [
      "wf-plain:",
      "  type: Workflow",
      "  params:",
      "    name: strr",
      "  on:",
      "    - cronjob: '*/5 * * * *'",
      "      timezone: Mars/Olympus",
      "  jobs:",
      "    first:",
      "      needs: [secnd]",
      "      stages:",
      "        - name: Greet",
      '          echo: "hi ${{ params.name | nope }} ${{ params.nmae }}"',
      "          retry: {attempts: 0, delay: soon}",
      "        - name: Call",
      "          uses: not-a-ref",
      "          with: {a: '${{ jobs.nope.stages }}'}",
      "      trigerr-rule: all_done",
      "",
    ].join("\n"),
    "second.yml":
      "wf-second:\n  type: Workflow\n  jobs:\n    a:\n      stages: [{name: A, echo: a}]\n",
  };

  it("a lookup on a fresh index reports what validate() on another one reports", () => {
    const hostile = Object.fromEntries(
      Object.entries(fixtureFiles("hostile")).map(([path, text]) => [path.slice(6), text]),
    );
    for (
      const [files, names] of [
        [PLAIN_BROKEN, ["wf-plain"]],
        [hostile, ["wf-bad-yaml", "wf-unknown-key", "wf-dup-keys", "wf-templates", "wf-duplicate"]],
      ] as const
    ) {
      const list = Object.entries(files).map(([path, text]) => ({ path, text }));
      const validated = indexConfig(list).validate().filter((issue) =>
        issue.severity !== "warning"
      );
      for (const name of names) {
        const lookup = indexConfig(list);
        let thrown: ConfigError | undefined;
        try {
          lookup.workflow(name);
        } catch (error) {
          if (error instanceof ConfigError) thrown = error;
        }
        assert.ok(thrown, name);
        const file = lookup.get(name)!.file;
        const expected = validated.filter((issue) =>
          issue.file === file || thrown!.issues.some((own) => own.file === issue.file)
        );
        assert.deepEqual(thrown.issues.map(formatIssue), expected.map(formatIssue), name);
      }
    }
    // The small reader's places are those of the `yaml` package: the same text with a tab in a
    // last comment (which the reader leaves to the full parser) gives the same issues.
    const located = (text: string) => {
      try {
        indexConfig([{ path: "plain.yml", text }]).workflow("wf-plain");
      } catch (error) {
        if (error instanceof ConfigError) return error.issues.map(formatIssue);
      }
      return [];
    };
    const read = located(PLAIN_BROKEN["plain.yml"]);
    assert.deepEqual(read, located(`${PLAIN_BROKEN["plain.yml"]}#\tread by the yaml package\n`));
    assert.deepEqual(read.map((line) => line.split(": ")[0]), [
      "plain.yml:4:11 params.name",
      "plain.yml:7:17 on[0].timezone",
      "plain.yml:10:15 jobs.first.needs",
      "plain.yml:13:25 jobs.first.stages[0].echo",
      "plain.yml:13:39 jobs.first.stages[0].echo",
      "plain.yml:13:51 jobs.first.stages[0].echo",
      "plain.yml:14:29 jobs.first.stages[0].retry.attempts",
      "plain.yml:14:39 jobs.first.stages[0].retry.delay",
      "plain.yml:16:17 jobs.first.stages[1].uses",
      "plain.yml:17:26 jobs.first.stages[1].with.a",
      "plain.yml:18:7 jobs.first",
    ]);
  });

  it("runs a valid template of a config whose other file is broken, and reports the broken one", () => {
    const config = indexConfig([
      { path: "good.yml", text: GOOD },
      { path: "broken.yml", text: BROKEN },
    ]);
    assert.deepEqual(config.names(), ["broken", "good"]);
    assert.equal(config.workflow("good").jobs.a.stages[0].name, "A");
    assert.throws(() => config.workflow("broken"), {
      name: "ConfigError",
      message: /^broken\.yml:6:9: Block collections are not allowed within flow collections/,
    });
    assert.deepEqual(config.validate().map((issue) => `${issue.file}:${issue.line}`), [
      "broken.yml:6",
      "broken.yml:7",
    ]);
  });

  it("lists the YAML problems of files never used in issues", () => {
    const config = indexConfig([
      { path: "good.yml", text: GOOD },
      { path: "broken.yml", text: BROKEN },
    ]);
    assert.deepEqual(config.issues.map((issue) => `${issue.file}:${issue.line}:${issue.column}`), [
      "broken.yml:6:9",
      "broken.yml:7:1",
    ]);
  });

  it("reports a name defined in two files at lookup, naming both lines", () => {
    const config = indexConfig([
      { path: "a.yml", text: "# first\nwf:\n  type: Workflow\n  jobs: {}\n" },
      {
        path: "b.yml",
        text: "other:\n  type: On\n  cronjob: '* * * * *'\nwf:\n  type: Workflow\n",
      },
    ]);
    assert.throws(() => config.workflow("wf"), {
      name: "ConfigError",
      message: "b.yml:4:1 wf: template 'wf' is defined twice: in a.yml:2 and b.yml:4; " +
        "rename one of them",
    });
  });

  it("gives a template's data from get() once its file is read", () => {
    const config = indexConfig([{ path: "good.yml", text: GOOD }]);
    const entry = config.get("good");
    assert.deepEqual([entry?.file, entry?.line, entry?.column, entry?.type], [
      "good.yml",
      1,
      1,
      "Workflow",
    ]);
    assert.deepEqual(entry?.data, {
      type: "Workflow",
      jobs: { a: { stages: [{ name: "A", echo: "a" }] } },
    });
  });

  it("validates every one of 2,000 templates in one file, each at its own line", () => {
    const text = Array.from(
      { length: 2000 },
      (_, i) => `wf-${i}:\n  type: Workflow\n  jobs:\n    a:\n      stages: [{name: A, ech: a}]\n`,
    ).join("");
    const issues = indexConfig([{ path: "many.yml", text }]).validate();
    assert.equal(issues.length, 2000);
    assert.deepEqual(issues.slice(-1).map(formatIssue), [
      "many.yml:10000:26 jobs.a.stages[0]: unknown key 'ech'; did you mean 'echo'?",
    ]);
  });
});

describe("loadConfig() on valid fixtures", () => {
  it("indexes keyed and single-template files by name and type", async () => {
    const config = await loadFixture("valid");
    assert.deepEqual(config.validate(), []);
    assert.deepEqual(config.names(), [
      "every_day_bkk",
      "nightly",
      "wf-child",
      "wf-full",
      "wf-single",
    ]);
    assert.deepEqual(config.names("Workflow"), ["wf-child", "wf-full", "wf-single"]);
    assert.deepEqual(config.names("Schedule"), ["nightly"]);
    const entry = config.get("wf-single");
    assert.equal(entry?.file, "nested/single_wf.yml");
    assert.equal(entry?.type, "Workflow");
    assert.deepEqual([config.get("wf-full")?.line, config.get("wf-full")?.column], [5, 1]);
  });

  it("returns the same cached workflow object on repeated lookups", async () => {
    const config = await loadFixture("valid");
    assert.equal(config.workflow("wf-full"), config.workflow("wf-full"));
  });

  it("resolves On template names and {schedule: [...]} forms", async () => {
    const config = await loadFixture("valid");
    const crons = (name: string) =>
      config.workflow(name).on.map((on) => `${on.cronjob} ${on.timezone}`);
    assert.deepEqual(crons("wf-full"), ["0 0 * * * Asia/Bangkok", "*/15 * * * * Asia/Bangkok"]);
    assert.deepEqual(crons("wf-child"), ["0 1 * * * UTC"]);
    assert.deepEqual(config.on("every_day_bkk"), {
      cronjob: "0 0 * * *",
      timezone: "Asia/Bangkok",
      source: { file: "workflows.yml", line: 131, column: 3 },
    });
  });

  it("builds a schedule with its policies and entries", async () => {
    const schedule = (await loadFixture("valid")).schedule("nightly");
    assert.equal(schedule.catchUp, "all");
    assert.equal(schedule.catchUpWindowMs, 6 * 3_600_000);
    assert.equal(schedule.overlap, "queue");
    assert.deepEqual(
      schedule.workflows.map((w) => [w.name, w.alias, w.on.length]),
      [["wf-child", "child-bkk", 1], ["wf-full", "wf-full", 0]],
    );
  });

  it("lists close names for an unknown workflow", async () => {
    const config = await loadFixture("valid");
    assert.throws(() => config.workflow("wf-ful"), {
      name: "ConfigError",
      message: "unknown workflow 'wf-ful'; did you mean 'wf-full'?",
    });
  });

  it("refuses a template of another type", async () => {
    const config = await loadFixture("valid");
    assert.throws(() => config.workflow("nightly"), {
      name: "ConfigError",
      message: "nested/single.yaml:1:1 nightly: template 'nightly' is a Schedule, not a Workflow",
    });
  });
});

describe("loadConfig() options", () => {
  it("reads the root from WORKFLOW_CORE_CONF_PATH", async () => {
    const runtime = runtimeWith({
      "/etc/wf/a.yml": "wf: {type: Workflow, jobs: {a: {stages: []}}}",
    });
    const original = runtime.env.get("WORKFLOW_CORE_CONF_PATH");
    assert.equal(original, undefined);
    const { createMemoryRuntime } = await import("../../src/runtime/memory.ts");
    const withEnv = createMemoryRuntime({
      files: { "/etc/wf/a.yml": "wf: {type: Workflow, jobs: {a: {stages: []}}}" },
      env: { WORKFLOW_CORE_CONF_PATH: "/etc/wf" },
    });
    assert.deepEqual((await loadConfig(withEnv)).names(), ["wf"]);
  });

  it("fails with a clear error when the root does not exist", async () => {
    await assert.rejects(loadConfig(runtimeWith({}), { confPath: "/nope" }), {
      name: "ConfigError",
      message: "config folder '/nope' does not exist; set WORKFLOW_CORE_CONF_PATH or pass confPath",
    });
  });

  it("rejects with the signal's reason when aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await assert.rejects(
      loadConfig(runtimeWith(fixtureFiles("valid")), {
        confPath: "/conf",
        signal: controller.signal,
      }),
      { message: "stop" },
    );
  });

  it("passes cron expressions to the validateCron hook", async () => {
    const config = await loadFixture("valid", {
      validateCron: (expression) => expression.startsWith("*/15") ? "no steps today" : undefined,
    });
    assert.deepEqual(config.validate().map(formatIssue), [
      "workflows.yml:21:16 on[1].cronjob: invalid cron '*/15 * * * *': no steps today",
    ]);
  });

  it("reports an unknown template type", () => {
    const config = indexConfig([{ path: "a.yml", text: "x:\n  type: Workflw\n" }]);
    assert.deepEqual(config.issues.map(formatIssue), [
      'a.yml:2:9 x.type: unknown template type "Workflw"; expected Workflow, Schedule, On, YearOn',
    ]);
  });
});

describe("buildWorkflow()", () => {
  it("builds a workflow from plain data without a file", () => {
    const workflow = buildWorkflow("hello", {
      type: "Workflow",
      jobs: { a: { stages: [{ name: "hi", echo: "hi" }] } },
    });
    assert.equal(workflow.jobs.a.stages[0].kind, "empty");
  });

  it("throws a ConfigError listing every issue by path", () => {
    assert.throws(
      () => buildWorkflow("x", { jobs: { a: { needs: ["b"], stages: [{ echo: 1, slep: 2 }] } } }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.message.split("\n"), [
          "jobs.a.stages[0]: unknown key 'slep'; did you mean 'sleep'?",
          "jobs.a.stages[0]: 'name' is required",
          "jobs.a.needs: needs unknown job 'b'; jobs: a",
        ]);
        return true;
      },
    );
  });
});
