import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { oneJob, runStages, runStagesCancelledAt } from "./_stage_helpers.ts";
import { concurrencyTracker } from "./_tracker.ts";

describe("parallel stage", () => {
  it("runs every branch and records each under parallel.<branch>", async () => {
    const run = await runStages(oneJob(`
      - name: Fan out
        id: fan
        parallel:
          left:
            - name: Say
              id: say
              echo: "\${{ branch }}"
            - name: Shout
              id: shout
              run: "return { text: context.branch.toUpperCase(), prev: context.stages.say.status };"
          right:
            - name: Say
              id: say
              sh: echo right
    `));
    assert.equal(run.result.status, "SUCCESS");
    assert.deepEqual(run.stages.fan, {
      status: "SUCCESS",
      outputs: {
        parallel: {
          left: {
            branch: "left",
            status: "SUCCESS",
            stages: {
              say: { status: "SUCCESS", outputs: {} },
              shout: { status: "SUCCESS", outputs: { text: "LEFT", prev: "SUCCESS" } },
            },
          },
          right: {
            branch: "right",
            status: "SUCCESS",
            stages: {
              say: {
                status: "SUCCESS",
                outputs: { return_code: 0, stdout: "right", stderr: null },
              },
            },
          },
        },
      },
    });
  });

  it("never runs more than max-workers branches at once", async () => {
    const tracker = concurrencyTracker(2, 5);
    const branches = ["a", "b", "c", "d", "e"].map((b) =>
      `\n            ${b}:\n              - name: Track\n                uses: g/track@v1\n` +
      `                with: { value: ${b} }`
    ).join("");
    const run = await runStages(
      oneJob(`
        - name: Fan out
          id: fan
          max-workers: 2
          parallel:${branches}
      `),
      { engine: { registry: tracker.registry }, fakeClock: true },
    );
    assert.equal(run.result.status, "SUCCESS");
    assert.equal(tracker.calls().length, 5);
    assert.equal(tracker.peak(), 2);
  });

  it("cancels the other branches when one fails and fails with its error", async () => {
    const run = await runStages(oneJob(`
      - name: Fan out
        id: fan
        max-workers: 2
        parallel:
          bad:
            - name: Boom
              id: boom
              raise: "broken input"
          slow:
            - name: Nap
              id: nap
              sleep: 30
          later:
            - name: Never
              id: never
              echo: never
    `));
    assert.equal(run.result.status, "FAILED");
    const entry = run.stages.fan as {
      status: string;
      errors: unknown;
      outputs: { parallel: Record<string, { status: string; stages: Record<string, unknown> }> };
    };
    assert.equal(entry.status, "FAILED");
    assert.deepEqual(entry.errors, {
      name: "StageError",
      message: "branch 'bad' failed: stage 'boom' failed: broken input",
    });
    assert.deepEqual(entry.outputs.parallel.bad.stages, {
      boom: {
        status: "FAILED",
        outputs: {},
        errors: { name: "NonRetriableError", message: "broken input" },
      },
    });
    assert.equal(entry.outputs.parallel.slow.status, "CANCEL");
    assert.equal(entry.outputs.parallel.later.status, "CANCEL");
    assert.deepEqual(entry.outputs.parallel.later.stages, {});
  });

  it("skips the whole stage when if is false", async () => {
    const run = await runStages(oneJob(`
      - name: Fan out
        id: fan
        if: "false"
        parallel:
          a:
            - name: x
              raise: never
    `));
    assert.deepEqual(run.stages, { fan: { status: "SKIP", outputs: {}, skipped: true } });
  });

  it("stops all branches at the stage timeout", async () => {
    const run = await runStages(
      oneJob(`
      - name: Fan out
        id: fan
        timeout: 0.2
        parallel:
          a:
            - name: Nap
              sleep: 30
          b:
            - name: Nap
              sleep: 30
    `),
      { fakeClock: true },
    );
    const fan = run.stages.fan as {
      status: string;
      errors: unknown;
      outputs: { parallel: Record<string, { status: string }> };
    };
    assert.equal(fan.status, "FAILED");
    assert.deepEqual(fan.errors, {
      name: "StageTimeoutError",
      message: "stage 'Fan out' timed out after 200ms",
    });
    assert.deepEqual(Object.keys(fan.outputs.parallel).sort(), ["a", "b"]);
    const end = run.events.find((e) => e.type === "stage-end" && e.stage === "fan");
    assert.equal(end?.time, 200, "the stage ends at its timeout, not after the 30 s sleeps");
  });

  it("ends CANCEL when the caller cancels", async () => {
    const run = await runStagesCancelledAt(
      "nap",
      oneJob(`
        - name: Fan out
          id: fan
          parallel:
            a:
              - name: Nap
                id: nap
                sleep: 30
      `),
    );
    assert.equal(run.result.status, "CANCEL");
    assert.equal((run.stages.fan as { status: string }).status, "CANCEL");
  });

  it("accepts max-workers from a template and rejects a bad one", async () => {
    const run = await runStages(
      oneJob(
        `
        - name: Fan out
          id: fan
          max-workers: "\${{ params.workers }}"
          parallel:
            a:
              - name: x
                id: x
                echo: hi
        `,
        { params: "workers: int" },
      ),
      { params: { workers: 0 } },
    );
    const entry = run.stages.fan as { status: string; errors: { message: string } };
    assert.equal(entry.status, "FAILED");
    assert.equal(entry.errors.message, "max-workers must be a whole number >= 1, got 0");
  });
});
