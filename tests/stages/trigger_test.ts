import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { oneJob, runStages, runStagesCancelledAt } from "./_stage_helpers.ts";

const CHILD = `
child:
  type: Workflow
  params:
    n: int
  jobs:
    c:
      stages:
        - name: Double
          id: double
          bash: echo $(( \${{ params.n }} * 2 ))
        - name: Maybe fail
          id: maybe
          if: "params.n < 0"
          raise: "n must not be negative, got \${{ params.n }}"
`;

/** Workflow `slow`: one 30 s sleep, stage `nap`. */
const SLOW = oneJob(
  `
  - name: Nap
    id: nap
    sleep: 30
`,
  { name: "slow" },
);

describe("trigger stage", () => {
  it("runs the child with its own run id whose parent is the caller", async () => {
    const run = await runStages(
      oneJob(`
      - name: Call child
        id: call
        trigger: child
        params:
          n: 21
      - name: Use
        id: use
        echo: "\${{ stages.call.outputs.jobs.c.stages.double.outputs.stdout }}"
    `),
      { files: { "child.yml": CHILD } },
    );
    assert.equal(run.result.status, "SUCCESS");
    const entry = run.stages.call as { status: string; outputs: Record<string, unknown> };
    assert.equal(entry.status, "SUCCESS");
    const childRunId = entry.outputs.run_id as string;
    assert.notEqual(childRunId, run.result.runId);
    assert.deepEqual(entry.outputs, {
      run_id: childRunId,
      status: "SUCCESS",
      params: { n: 21 },
      jobs: {
        c: {
          status: "SUCCESS",
          stages: {
            double: { status: "SUCCESS", outputs: { return_code: 0, stdout: "42", stderr: null } },
            maybe: { status: "SKIP", outputs: {}, skipped: true },
          },
        },
      },
    });
    const childStart = run.events.find((e) => e.type === "run-start" && e.runId === childRunId);
    assert.equal(childStart?.parentRunId, run.result.runId);
    assert.equal(childStart?.workflow, "child");
  });

  it("fails when the child fails, with the child's error", async () => {
    const run = await runStages(
      oneJob(`
      - name: Call child
        id: call
        trigger: child
        params: { n: -1 }
    `),
      { files: { "child.yml": CHILD } },
    );
    assert.equal(run.result.status, "FAILED");
    const entry = run.stages.call as {
      status: string;
      errors: { name: string; message: string };
      outputs: { status: string };
    };
    assert.equal(entry.status, "FAILED");
    assert.equal(entry.outputs.status, "FAILED");
    assert.match(
      entry.errors.message,
      /^triggered workflow 'child' \(run \d{20}T\d{10}\) ended FAILED: job 'c': stage 'maybe': n must not be negative, got -1$/,
    );
  });

  it("stops a trigger cycle with a clear error instead of hanging", async () => {
    const run = await runStages(
      oneJob(`
      - name: To b
        id: to-b
        trigger: b
    `) +
        oneJob(
          `
          - name: Back to wf
            id: to-wf
            trigger: wf
        `,
          { name: "b" },
        ),
    );
    assert.equal(run.result.status, "FAILED");
    const entry = run.stages["to-b"] as { errors: { message: string } };
    assert.match(
      entry.errors.message,
      /trigger cycle: wf -> b -> wf; a workflow may not trigger itself/,
    );
  });

  it("fails clearly for an unknown workflow", async () => {
    const run = await runStages(oneJob(`
      - name: Nowhere
        id: nowhere
        trigger: "\${{ 'no-such' }}"
    `));
    const entry = run.stages.nowhere as { status: string; errors: { message: string } };
    assert.equal(entry.status, "FAILED");
    assert.match(entry.errors.message, /no-such/);
  });

  it("skips without running the child when if is false", async () => {
    const run = await runStages(
      oneJob(`
      - name: Call child
        id: call
        if: "false"
        trigger: child
        params: { n: 1 }
    `),
      { files: { "child.yml": CHILD } },
    );
    assert.deepEqual(run.stages, { call: { status: "SKIP", outputs: {}, skipped: true } });
    assert.ok(!run.events.some((e) => e.workflow === "child"));
  });

  it("stops the child at the stage timeout", async () => {
    const run = await runStages(
      oneJob(`
      - name: Call slow
        id: call
        timeout: 0.3
        trigger: slow
    `) + SLOW,
      { fakeClock: true },
    );
    assert.equal(run.result.status, "FAILED");
    const entry = run.stages.call as {
      status: string;
      errors: unknown;
      outputs: { run_id: string; status: string };
    };
    assert.equal(entry.status, "FAILED");
    assert.deepEqual(entry.errors, {
      name: "StageTimeoutError",
      message: "stage 'Call slow' timed out after 300ms",
    });
    assert.match(entry.outputs.run_id, /^\d{20}T\d{10}$/);
    const end = run.events.find((e) => e.type === "stage-end" && e.stage === "call");
    assert.equal(end?.time, 300, "the stage ends at its timeout, not after the child's 30 s sleep");
  });

  it("ends CANCEL when the caller cancels during the child run", async () => {
    const run = await runStagesCancelledAt(
      "nap",
      oneJob(`
      - name: Call slow
        id: call
        trigger: slow
    `) + SLOW,
    );
    assert.equal(run.result.status, "CANCEL");
    assert.equal((run.stages.call as { status: string }).status, "CANCEL");
  });
});
