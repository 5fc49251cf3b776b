import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  assertSkippedAndTimedOut,
  oneJob,
  runStages,
  runStagesCancelledAt,
} from "./_stage_helpers.ts";

const BY_MODE = (extra = "") =>
  oneJob(
    `
    - name: Route
      id: route
      case: "\${{ params.mode }}"${extra}
      match:
        - case: full
          stages:
            - name: Full
              id: full
              run: "return { rows: 100 };"
        - case: "\${{ 'delta' }}"
          stage:
            name: Delta
            id: delta
            echo: delta load
    `,
    { params: "mode: str" },
  );

describe("case stage", () => {
  it("runs the stages of the matching case and records them", async () => {
    const run = await runStages(BY_MODE(), { params: { mode: "full" } });
    assert.equal(run.result.status, "SUCCESS");
    assert.deepEqual(run.stages.route, {
      status: "SUCCESS",
      outputs: {
        case: "full",
        stages: { full: { status: "SUCCESS", outputs: { rows: 100 } } },
      },
    });
  });

  it("accepts the reference's single `stage:` form and a templated case", async () => {
    const run = await runStages(BY_MODE(), { params: { mode: "delta" } });
    assert.deepEqual(run.stages.route, {
      status: "SUCCESS",
      outputs: { case: "delta", stages: { delta: { status: "SUCCESS", outputs: {} } } },
    });
  });

  it("runs the else branch as case _ when nothing matches", async () => {
    const run = await runStages(
      oneJob(
        `
      - name: Route
        id: route
        case: "\${{ params.mode }}"
        match:
          - case: full
            stages:
              - name: Full
                raise: never
          - else:
              - name: Other
                id: other
                echo: "other \${{ params.mode }}"
      `,
        { params: "mode: str" },
      ),
      { params: { mode: "weird" } },
    );
    assert.deepEqual(run.stages.route, {
      status: "SUCCESS",
      outputs: { case: "_", stages: { other: { status: "SUCCESS", outputs: {} } } },
    });
  });

  it("fails without a match and without else, listing the cases", async () => {
    const run = await runStages(BY_MODE(), { params: { mode: "weird" } });
    assert.equal(run.result.status, "FAILED");
    assert.deepEqual(run.stages.route, {
      status: "FAILED",
      outputs: {},
      errors: {
        name: "NonRetriableError",
        message: "case value 'weird' matches none of [full, delta] and there is no " +
          "else branch (add one, or set skip-not-match: true)",
      },
    });
  });

  it("ends SKIP without a match when skip-not-match is set", async () => {
    const run = await runStages(BY_MODE("\n      skip-not-match: true"), {
      params: { mode: "weird" },
    });
    assert.equal(run.result.status, "SKIP");
    assert.deepEqual(run.stages.route, {
      status: "SKIP",
      outputs: { case: "weird", stages: {} },
    });
  });

  it("fails when the chosen branch fails", async () => {
    const run = await runStages(oneJob(`
      - name: Route
        id: route
        case: a
        match:
          - case: a
            stages:
              - name: Boom
                id: boom
                raise: "bad branch"
    `));
    assert.deepEqual(run.stages.route, {
      status: "FAILED",
      outputs: {
        case: "a",
        stages: {
          boom: {
            status: "FAILED",
            outputs: {},
            errors: { name: "NonRetriableError", message: "bad branch" },
          },
        },
      },
      errors: { name: "StageError", message: "stage 'boom' failed: bad branch" },
    });
  });

  it("skips when if is false, and stops at its timeout", async () => {
    const run = await runStages(
      oneJob(`
      - name: Skipped
        id: skipped
        if: "false"
        case: a
        match:
          - case: a
            stages:
              - name: x
                raise: never
      - name: Slow
        id: slow
        timeout: 0.2
        case: a
        match:
          - case: a
            stages:
              - name: Nap
                sleep: 30
    `),
      { fakeClock: true },
    );
    assertSkippedAndTimedOut(run);
  });

  it("ends CANCEL when the caller cancels", async () => {
    const run = await runStagesCancelledAt(
      "nap",
      oneJob(`
        - name: Route
          id: route
          case: a
          match:
            - case: a
              stages:
                - name: Nap
                  id: nap
                  sleep: 30
      `),
    );
    assert.equal(run.result.status, "CANCEL");
    assert.equal((run.stages.route as { status: string }).status, "CANCEL");
  });
});
