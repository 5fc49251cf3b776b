import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  assertSkippedAndTimedOut,
  oneJob,
  runStages,
  runStagesCancelledAt,
} from "./_stage_helpers.ts";

const COUNT_TO_FIVE = (maxLoop: number) =>
  oneJob(`
    - name: Count
      id: count
      item: 1
      until: "item > 4"
      max-loop: ${maxLoop}
      stages:
        - name: Next
          id: next
          run: "return { item: context.item + 1 };"
  `);

describe("until stage", () => {
  it("feeds the last nested stage's item output into the next loop", async () => {
    const run = await runStages(COUNT_TO_FIVE(4));
    assert.equal(run.result.status, "SUCCESS");
    const loop = (n: number, item: number) => ({
      loop: n,
      item,
      status: "SUCCESS",
      stages: { next: { status: "SUCCESS", outputs: { item: item + 1 } } },
    });
    assert.deepEqual(run.stages.count, {
      status: "SUCCESS",
      outputs: { until: { 1: loop(1, 1), 2: loop(2, 2), 3: loop(3, 3), 4: loop(4, 4) } },
    });
  });

  it("allows exactly max-loop iterations and fails when that is not enough", async () => {
    const run = await runStages(COUNT_TO_FIVE(3));
    assert.equal(run.result.status, "FAILED");
    assert.deepEqual(run.stages.count, {
      status: "FAILED",
      outputs: {},
      errors: {
        name: "NonRetriableError",
        message: "until condition 'item > 4' was still false after max-loop 3 iterations",
      },
    });
  });

  it("uses loop + 1 as the next item when no nested stage outputs one", async () => {
    const run = await runStages(oneJob(`
      - name: Wait
        id: wait
        until: "item >= 3 and loop >= 3"
        stages:
          - name: Tick
            id: tick
            echo: "loop \${{ loop }} item \${{ item }}"
    `));
    assert.equal(run.result.status, "SUCCESS");
    const entry = run.stages.wait as { outputs: { until: Record<string, { item: unknown }> } };
    assert.deepEqual(
      Object.values(entry.outputs.until).map((l) => l.item),
      [0, 2, 3],
    );
    assert.ok(run.logs.some((m) => m.includes("loop 3 item 3")), run.logs.join("\n"));
  });

  it("stops at the first failing loop with its error", async () => {
    const run = await runStages(oneJob(`
      - name: Count
        id: count
        item: 1
        until: "item > 9"
        stages:
          - name: Check
            id: check
            if: "item == 3"
            raise: "three is not allowed"
          - name: Next
            id: next
            run: "return { item: context.item + 1 };"
    `));
    assert.equal(run.result.status, "FAILED");
    const entry = run.stages.count as {
      status: string;
      errors: { message: string };
      outputs: { until: Record<string, unknown> };
    };
    assert.equal(entry.status, "FAILED");
    assert.deepEqual(Object.keys(entry.outputs.until), ["1", "2", "3"]);
    assert.match(
      entry.errors.message,
      /^loop 3 failed: stage 'check' failed: three is not allowed$/,
    );
  });

  it("fails when the until condition is not a boolean", async () => {
    const run = await runStages(oneJob(`
      - name: Bad
        id: bad
        until: "\${{ item }}"
        stages:
          - name: Tick
            echo: tick
    `));
    const entry = run.stages.bad as { status: string; errors: { message: string } };
    assert.equal(entry.status, "FAILED");
    assert.equal(
      entry.errors.message,
      "until condition '${{ item }}' (loop 1): condition must be true or false, got number 2: 2",
    );
  });

  it("skips when if is false, and stops at its timeout", async () => {
    const run = await runStages(
      oneJob(`
      - name: Skipped
        id: skipped
        if: "false"
        until: "true"
        stages:
          - name: x
            raise: never
      - name: Slow
        id: slow
        timeout: 0.2
        until: "false"
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
        - name: Loop
          id: loop
          until: "false"
          stages:
            - name: Nap
              id: nap
              sleep: 30
      `),
    );
    assert.equal(run.result.status, "CANCEL");
    assert.equal((run.stages.loop as { status: string }).status, "CANCEL");
  });
});
