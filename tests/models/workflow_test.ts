import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildWorkflow } from "../../src/config/loader.ts";
import { ConfigError } from "../../src/errors.ts";
import { parseSchedule } from "../../src/models/schedule.ts";
import { workflowJsonSchema } from "../../src/config/schema.ts";
import { collect } from "./_helpers.ts";

function issuesOf(raw: unknown): string[] {
  try {
    buildWorkflow("wf", raw);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message.split("\n");
  }
}

const stage = { name: "s", echo: "x" };

describe("parseWorkflow() via buildWorkflow()", () => {
  it("reads workflow fields: desc, params, tags, max-job-parallel, timeout", () => {
    const wf = buildWorkflow("wf", {
      type: "Workflow",
      desc: "  line one\n  line two",
      params: { a: "str" },
      tags: ["x", 2],
      "max-job-parallel": 4,
      timeout: "2m",
      jobs: { a: { stages: [stage] } },
    });
    assert.equal(wf.desc, "line one\nline two");
    assert.deepEqual(wf.tags, ["x", "2"]);
    assert.equal(wf.maxJobParallel, 4);
    assert.equal(wf.timeoutMs, 120_000);
    assert.deepEqual(Object.keys(wf.params), ["a"]);
  });

  it("reads job fields: runs-on, needs, trigger-rule, strategy, timeout, retry", () => {
    const wf = buildWorkflow("wf", {
      params: { go: "bool", list: "array" },
      jobs: {
        a: { "runs-on": "local", stages: [stage] },
        b: {
          needs: "a",
          "trigger-rule": "none_failed",
          "runs-on": { type: "k8s", with: { ns: "x" } },
          if: "params.go",
          timeout: 90,
          retry: 2,
          strategy: {
            matrix: { env: ["dev", "prod"], n: "${{ params.list }}" },
            include: [{ env: "qa" }],
            exclude: [{ env: "dev" }],
            "max-parallel": 3,
            "fail-fast": true,
          },
          stages: [stage],
        },
      },
    });
    const b = wf.jobs.b;
    assert.deepEqual(b.needs, ["a"]);
    assert.equal(b.triggerRule, "none_failed");
    assert.deepEqual(b.runsOn, { type: "k8s", with: { ns: "x" } });
    assert.equal(b.timeoutMs, 90_000);
    assert.equal(b.retry?.attempts, 2);
    assert.deepEqual(b.strategy, {
      matrix: { env: ["dev", "prod"], n: "${{ params.list }}" },
      include: [{ env: "qa" }],
      exclude: [{ env: "dev" }],
      maxParallel: 3,
      failFast: true,
    });
    assert.equal(wf.jobs.a.triggerRule, "all_success");
    assert.equal(wf.jobs.a.strategy, undefined);
  });

  it("reports bad job fields with hints", () => {
    assert.deepEqual(
      issuesOf({
        jobs: {
          a: {
            "runs-on": "cloud",
            "trigger-rule": "all_sucess",
            strategy: { matrix: { env: [] }, "max-parallel": 0 },
            stages: [stage],
          },
          b: { "runs-on": { type: "self_hosted" }, stages: [stage] },
          c: { "runs-on": { type: "self_hosted", with: { labels: [1] } }, stages: [stage] },
          d: { "runs-on": { type: "self_hosted", with: { labels: ["gpu"] } }, stages: [stage] },
        },
      }),
      [
        "jobs.a.runs-on: unknown runs-on type 'cloud'; valid types: local, self_hosted, k8s, docker, container, aws_batch, gcp_batch, azure_batch, cloud_batch; did you mean 'cloud_batch'?",
        "jobs.a.trigger-rule: unknown trigger rule 'all_sucess'; valid rules: all_success, all_failed, all_done, one_failed, one_success, none_failed, none_skipped; did you mean 'all_success'?",
        "jobs.a.strategy.matrix.env: a matrix key needs at least one value",
        "jobs.a.strategy.max-parallel: expected a whole number ≥ 1, got a number (0)",
        "jobs.b.runs-on: runs-on type 'self_hosted' needs 'with.labels' (the labels of the workers that may run it) or 'with.host' (the runner's URL)",
        "jobs.c.runs-on.with.labels: expected a label or a list of labels, got a list",
      ],
    );
  });

  it("reports workflow-level problems: unknown keys, jobs that are not a mapping, template in name", () => {
    assert.deepEqual(issuesOf({ type: "Workflow", parms: {} }), [
      "unknown key 'parms'; did you mean 'params'?",
    ]);
    assert.deepEqual(issuesOf({ type: "Workflow", jobs: ["a"] }), [
      "jobs: expected a mapping of job id to job, got a list",
    ]);
    assert.throws(() => buildWorkflow("wf-${{ x }}", { jobs: {} }), {
      message: "workflow name 'wf-${{ x }}' must not contain a template",
    });
  });

  it("reports a self-need as a cycle", () => {
    assert.deepEqual(issuesOf({ jobs: { a: { needs: ["a"], stages: [stage] } } }), [
      "jobs.a.needs: dependency cycle: a -> a; remove one of these needs",
    ]);
  });

  it("accepts stages.X of an earlier stage and matrix templates in ids", () => {
    const wf = buildWorkflow("wf", {
      params: { p: "str" },
      jobs: {
        a: {
          strategy: { matrix: { env: ["x"] } },
          stages: [
            { name: "First ${{ matrix.env }}", id: "first", echo: "${{ params.p }}" },
            { name: "Second", echo: "${{ stages.first.outputs }} ${{ matrix.env }} ${{ item }}" },
          ],
        },
        b: { needs: ["a"], stages: [{ name: "b", echo: "${{ jobs.a.stages }}" }] },
      },
    });
    assert.equal(wf.jobs.a.stages.length, 2);
  });
});

describe("parseSchedule()", () => {
  it("checks policies, workflow names and aliases", () => {
    const { issues } = collect((i) =>
      parseSchedule(
        "s",
        {
          type: "Schedule",
          "catch-up": "latst",
          overlap: "wait",
          "catch-up-window": "1h",
          workflows: [{ name: "wf-a" }, { name: "wf-b", alias: "wf-a" }],
        },
        i,
        { workflowNames: ["wf-a"] },
      )
    );
    assert.deepEqual(issues, [
      `catch-up: expected one of none, latest, all, got a string ("latst"); did you mean 'latest'?`,
      `overlap: expected one of skip, allow, queue, got a string ("wait")`,
      "catch-up-window: 'catch-up-window' only applies with 'catch-up: all'",
      "workflows[1].name: unknown workflow 'wf-b'; did you mean 'wf-a'?",
      "workflows[1]: duplicate alias 'wf-a' (also workflows[0]); give each entry its own alias",
    ]);
  });

  it("defaults to catch-up none and overlap skip", () => {
    const { value, issues } = collect((i) => parseSchedule("s", { workflows: ["wf"] }, i));
    assert.deepEqual(issues, []);
    assert.equal(value.catchUp, "none");
    assert.equal(value.overlap, "skip");
    assert.deepEqual(value.workflows.map((w) => w.alias), ["wf"]);
  });
});

describe("workflowJsonSchema()", () => {
  it("is a draft-07 schema with every stage kind and described fields", () => {
    const schema = workflowJsonSchema();
    assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#");
    const definitions = schema.definitions as Record<string, Record<string, unknown>>;
    const kinds = (definitions.stage.anyOf as { $ref: string }[]).map((r) =>
      r.$ref.split("/").pop()
    );
    assert.deepEqual(kinds.sort(), [
      "stage_call",
      "stage_case",
      "stage_docker",
      "stage_empty",
      "stage_foreach",
      "stage_parallel",
      "stage_raise",
      "stage_run",
      "stage_shell",
      "stage_trigger",
      "stage_until",
    ]);
    const workflow = definitions.workflow.properties as Record<string, { description?: string }>;
    assert.ok(workflow.jobs.description);
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(schema)));
  });
});
