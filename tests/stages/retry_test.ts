import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Registry, tag } from "../../src/stages/registry.ts";
import { oneJob, runStages } from "./_stage_helpers.ts";

/** `g/flaky@v1`: fails until it has been called `succeedOn` times. */
function flaky(succeedOn: number) {
  let calls = 0;
  const fn = tag("v1", { alias: "flaky" })(() => {
    calls++;
    if (calls < succeedOn) throw new Error(`attempt ${calls} failed`);
    return { calls };
  });
  return { registry: new Registry().register("g", [fn]), calls: () => calls };
}

describe("retry and continue-on-error on stages", () => {
  it("retries a failing stage with growing delays until it succeeds", async () => {
    const task = flaky(3);
    const run = await runStages(
      oneJob(`
        - name: Flaky
          id: flaky
          retry: { attempts: 4, delay: 0.02, backoff: 3 }
          uses: g/flaky@v1
      `),
      { engine: { registry: task.registry }, fakeClock: true },
    );
    assert.equal(run.result.status, "SUCCESS");
    assert.deepEqual(run.stages.flaky, { status: "SUCCESS", outputs: { calls: 3 } });
    const warnings = run.events.filter((e) => e.type === "log" && e.level === "warning")
      .map((e) => e.message);
    assert.deepEqual(warnings, [
      "[STAGE]: 'Flaky' failed (attempt 1 of 4): attempt 1 failed; retrying in 20 ms",
      "[STAGE]: 'Flaky' failed (attempt 2 of 4): attempt 2 failed; retrying in 60 ms",
    ]);
    const end = run.events.find((e) => e.type === "stage-end" && e.stage === "flaky");
    assert.equal(end?.time, 20 + 60, "it waited exactly the two delays of the fake clock");
  });

  it("caps the growing delay at max-delay", async () => {
    const task = flaky(4);
    const run = await runStages(
      oneJob(`
        - name: Flaky
          id: flaky
          retry: { attempts: 4, delay: 0.01, backoff: 10, max-delay: 0.05 }
          uses: g/flaky@v1
      `),
      { engine: { registry: task.registry }, fakeClock: true },
    );
    assert.equal(run.result.status, "SUCCESS");
    const waits = run.events.filter((e) => e.type === "log" && e.level === "warning")
      .map((e) => e.message?.replace(/.*retrying in /, ""));
    assert.deepEqual(waits, ["10 ms", "50 ms", "50 ms"]);
    const end = run.events.find((e) => e.type === "stage-end" && e.stage === "flaky");
    assert.equal(end?.time, 110);
    assert.equal(end?.attempts, 4);
  });

  it("ends the stage CANCEL, with no further attempt, when the run is cancelled while it waits", async () => {
    const task = flaky(10);
    const controller = new AbortController();
    const run = await runStages(
      oneJob(`
        - name: Flaky
          id: flaky
          retry: { attempts: 5, delay: 60 }
          uses: g/flaky@v1
      `),
      {
        engine: { registry: task.registry },
        fakeClock: true,
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === "log" && event.level === "warning") controller.abort();
        },
      },
    );
    assert.equal(task.calls(), 1);
    assert.equal(run.result.status, "CANCEL");
    assert.equal((run.stages.flaky as { status: string }).status, "CANCEL");
    const end = run.events.find((e) => e.type === "stage-end" && e.stage === "flaky");
    assert.equal(end?.attempts, 1);
    assert.ok((end?.time ?? Infinity) < 60_000, "it did not wait out the delay");
  });

  it("retries a whole job with the same delays and warnings", async () => {
    const task = flaky(3);
    const run = await runStages(
      `
wf:
  type: Workflow
  jobs:
    j:
      retry: { attempts: 3, delay: 0.01, backoff: 2 }
      stages:
        - name: Flaky
          id: flaky
          uses: g/flaky@v1
`,
      { engine: { registry: task.registry }, fakeClock: true },
    );
    assert.equal(run.result.status, "SUCCESS");
    assert.deepEqual(run.stages.flaky, { status: "SUCCESS", outputs: { calls: 3 } });
    const warnings = run.events.filter((e) => e.type === "log" && e.level === "warning")
      .map((e) => e.message);
    assert.deepEqual(warnings, [
      "[JOB]: 'j' failed (attempt 1 of 3); retrying in 10 ms",
      "[JOB]: 'j' failed (attempt 2 of 3); retrying in 20 ms",
    ]);
    const end = run.events.find((e) => e.type === "job-end" && e.job === "j");
    assert.equal(end?.time, 30);
  });

  it("gives up after the last attempt with the last error", async () => {
    const task = flaky(10);
    const run = await runStages(
      oneJob(`
        - name: Flaky
          id: flaky
          retry: { attempts: 2, delay: 0 }
          uses: g/flaky@v1
      `),
      { engine: { registry: task.registry } },
    );
    assert.equal(task.calls(), 2);
    assert.deepEqual(run.stages.flaky, {
      status: "FAILED",
      outputs: {},
      errors: { name: "Error", message: "attempt 2 failed" },
    });
  });

  it("keeps the job going after a failure marked continue-on-error", async () => {
    const run = await runStages(oneJob(`
      - name: Soft
        id: soft
        continue-on-error: true
        sh: exit 2
      - name: Next
        id: next
        echo: "\${{ stages.soft.status }}"
    `));
    assert.equal(run.stages.next && (run.stages.next as { status: string }).status, "SUCCESS");
    assert.deepEqual((run.stages.soft as { errors: unknown }).errors, {
      name: "StageError",
      message: "sh exited with code 2",
    });
    assert.ok(run.logs.some((m) => m.includes("FAILED")), run.logs.join("\n"));
  });
});
