/**
 * The one list of stage kinds (`src/stages/kinds.ts`) is what the parser, the printed schema,
 * the walks over nested stages and the stage runner all use: a kind's declarations agree with
 * each other, and every consumer sees every kind.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { STAGE_KINDS, STAGE_SYNTAX, stageHandler } from "../../src/stages/kinds.ts";
import { STAGE_COMMON_KEYS, StageSyntax } from "../../src/models/stage.ts";
import { workflowJsonSchema } from "../../src/config/schema.ts";
import { buildWorkflow } from "../../src/config/loader.ts";
import { IssueCollector } from "../../src/models/issues.ts";
import { formatIssue } from "../../src/errors.ts";
import { createMemoryRuntime } from "../../src/runtime/mod.ts";
import { engineFor } from "../_helpers.ts";

type Definition = { properties: Record<string, unknown>; required: string[]; oneOf?: unknown[] };

describe("STAGE_KINDS", () => {
  it("lists every kind once, with the fallback kind (no selecting key) last", () => {
    assert.deepEqual(STAGE_KINDS.map((kind) => kind.kind), [
      "shell",
      "call",
      "trigger",
      "foreach",
      "until",
      "parallel",
      "case",
      "run",
      "raise",
      "docker",
      "empty",
    ]);
    assert.deepEqual(STAGE_KINDS.at(-1)?.selectors, []);
  });

  it("each kind's schema fragment describes exactly the keys its parser accepts", () => {
    for (const kind of STAGE_KINDS) {
      const properties = Object.keys(kind.schema.properties).sort();
      assert.deepEqual(properties, [...kind.keys].sort(), kind.kind);
      for (const key of kind.selectors) assert.ok(kind.keys.includes(key), `${kind.kind}.${key}`);
      for (const key of kind.schema.required ?? []) {
        assert.ok(kind.keys.includes(key), `${kind.kind} requires unknown key ${key}`);
      }
    }
  });

  it("`workflow schema` has one definition per kind: its keys, the common keys and name", () => {
    const definitions = workflowJsonSchema().definitions as Record<string, Definition>;
    const refs = (definitions.stage as unknown as { anyOf: { $ref: string }[] }).anyOf;
    assert.deepEqual(
      refs.map((ref) => ref.$ref),
      STAGE_KINDS.map((kind) => `#/definitions/stage_${kind.kind}`),
    );
    for (const kind of STAGE_KINDS) {
      const definition = definitions[`stage_${kind.kind}`];
      assert.deepEqual(
        Object.keys(definition.properties).sort(),
        [...STAGE_COMMON_KEYS, ...kind.keys].sort(),
      );
      assert.ok(definition.required.includes("name"));
    }
    assert.deepEqual(definitions.stage_shell.oneOf, [
      { required: ["bash"] },
      { required: ["sh"] },
    ]);
  });

  it("has a run handler for every kind, and refuses a kind it does not list", () => {
    for (const kind of STAGE_KINDS) assert.equal(stageHandler(kind.kind), kind.run);
    assert.throws(() => stageHandler("nope" as never), /unknown stage kind 'nope'/);
  });
});

describe("StageSyntax", () => {
  it("refuses a list with a kind twice or without exactly one fallback kind", () => {
    const [shell, , , , , , , , , , empty] = STAGE_KINDS;
    assert.throws(() => new StageSyntax([shell, shell, empty]), /'shell' is listed twice/);
    assert.throws(() => new StageSyntax([shell]), /one stage kind must have no selecting key/);
    assert.throws(() => new StageSyntax([empty, { ...empty, kind: "raise" }]), /only one/);
  });

  it("walks the stages nested in every nested kind, parents first", () => {
    const workflow = buildWorkflow("wf", {
      type: "Workflow",
      jobs: {
        a: {
          stages: [
            { name: "each", foreach: [1], stages: [{ name: "in-each", echo: "x" }] },
            { name: "loop", until: "true", stages: [{ name: "in-loop", echo: "x" }] },
            { name: "par", parallel: { l: [{ name: "in-par", echo: "x" }] } },
            {
              name: "case",
              case: "x",
              match: [
                { case: "x", stage: { name: "in-case", echo: "x" } },
                { else: [{ name: "in-else", echo: "x" }] },
              ],
            },
          ],
        },
      },
    });
    const names = [...STAGE_SYNTAX.walk(workflow.jobs.a.stages)].map((stage) => stage.name);
    assert.deepEqual(names, [
      "each",
      "in-each",
      "loop",
      "in-loop",
      "par",
      "in-par",
      "case",
      "in-case",
      "in-else",
    ]);
  });

  it("reports a key of another kind and an unknown key with the same wording as before", () => {
    const issues = new IssueCollector();
    STAGE_SYNTAX.parseStage({ name: "s", bash: "x", with: {}, ech: 1 }, ["stages", 0], issues);
    assert.deepEqual(issues.issues.map(formatIssue), [
      "stages[0]: key 'with' does not belong to a shell stage (chosen by 'bash')",
      "stages[0]: unknown key 'ech'; did you mean 'echo'?",
    ]);
  });
});

describe("what each kind declares about running", () => {
  it("a dry run skips every kind that acts and runs the others", async () => {
    // The memory runtime can neither spawn nor start workers, and no task or child workflow
    // exists: any acting stage that really ran would fail the run.
    const engine = await engineFor(
      `
wf:
  type: Workflow
  jobs:
    a:
      stages:
        - { name: shell, id: shell, bash: "exit 1" }
        - { name: call, id: call, uses: none/missing@v1 }
        - { name: trigger, id: trigger, trigger: no-such-workflow }
        - { name: run, id: run, run: "throw new Error('ran')" }
        - { name: docker, id: docker, image: alpine }
        - { name: each, id: each, foreach: [1], stages: [{ name: in, id: in, echo: "\${{ item }}" }] }
        - { name: fail, id: fail, if: "false", raise: never }
`,
      { runtime: createMemoryRuntime() },
    );
    try {
      const result = await engine.execute("wf", {}, { dryRun: true });
      assert.equal(result.status, "SUCCESS", JSON.stringify(result.context.jobs));
      const stages = result.context.jobs.a.stages!;
      for (const id of ["shell", "call", "trigger", "run", "docker"]) {
        assert.deepEqual(stages[id].outputs, {}, id);
      }
      assert.equal(stages.each.status, "SUCCESS");
      assert.equal(stages.fail.status, "SKIP");
      const wet = await engine.execute("wf");
      assert.equal(wet.status, "FAILED");
    } finally {
      await engine.close();
    }
  });
});
