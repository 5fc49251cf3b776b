import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { oneJob, runStages, runStagesCancelledAt } from "./_stage_helpers.ts";

describe("empty stage (echo, sleep)", () => {
  it("logs the rendered echo and records empty outputs", async () => {
    const run = await runStages(
      oneJob(
        `
        - name: Greet
          id: greet
          echo: "hello \${{ params.who }}"
        `,
        { params: "who: str" },
      ),
      { params: { who: "ann" } },
    );
    assert.equal(run.result.status, "SUCCESS");
    assert.deepEqual(run.stages, { greet: { status: "SUCCESS", outputs: {} } });
    assert.ok(run.logs.some((m) => m.includes("hello ann")), run.logs.join("\n"));
  });

  it("fails when the echo reads a key the param does not have", async () => {
    const run = await runStages(
      oneJob(
        `
        - name: Greet
          id: greet
          echo: "hello \${{ params.person.nobody }}"
        `,
        { params: "person: map" },
      ),
      { params: { person: { name: "ann" } } },
    );
    assert.equal(run.result.status, "FAILED");
    const entry = run.stages.greet as { status: string; errors: { message: string } };
    assert.equal(entry.status, "FAILED");
    assert.match(entry.errors.message, /nobody/);
    assert.match(entry.errors.message, /name/);
  });

  it("skips a stage whose if is false and runs the next one", async () => {
    const run = await runStages(oneJob(`
      - name: Never
        id: never
        if: "1 == 2"
        echo: never
      - name: After
        id: after
        sleep: 0
    `));
    assert.equal(run.result.status, "SUCCESS");
    assert.deepEqual(run.stages, {
      never: { status: "SKIP", outputs: {}, skipped: true },
      after: { status: "SUCCESS", outputs: {} },
    });
    assert.ok(!run.logs.some((m) => m.includes("Echo 'Never'")));
  });

  it("stops a long sleep at its timeout with a StageTimeoutError", async () => {
    const run = await runStages(
      oneJob(`
      - name: Nap
        id: nap
        sleep: 30
        timeout: 0.2
    `),
      { fakeClock: true },
    );
    assert.equal(run.result.status, "FAILED");
    assert.deepEqual(run.stages.nap, {
      status: "FAILED",
      outputs: {},
      errors: { name: "StageTimeoutError", message: "stage 'Nap' timed out after 200ms" },
    });
    const end = run.events.find((e) => e.type === "stage-end" && e.stage === "nap");
    assert.equal(end?.time, 200, "the stage ends at its timeout, not after its 30 s sleep");
  });

  it("ends CANCEL when the caller aborts during a sleep", async () => {
    const run = await runStagesCancelledAt(
      "nap",
      oneJob(`
        - name: Nap
          id: nap
          sleep: 30
        - name: Later
          id: later
          echo: never
      `),
    );
    assert.equal(run.result.status, "CANCEL");
    const nap = run.stages.nap as { status: string; errors: { name: string } };
    assert.equal(nap.status, "CANCEL");
    assert.equal(nap.errors.name, "CancelError");
    assert.equal(run.stages.later, undefined);
  });

  it("rejects a negative sleep given through a template", async () => {
    const run = await runStages(oneJob(`
      - name: Nap
        id: nap
        sleep: "\${{ -1 }}"
    `));
    const nap = run.stages.nap as { status: string; errors: { message: string } };
    assert.equal(nap.status, "FAILED");
    assert.match(nap.errors.message, /sleep must be a number of seconds >= 0/);
  });
});
