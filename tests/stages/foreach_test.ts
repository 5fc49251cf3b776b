import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Registry, tag } from "../../src/stages/registry.ts";
import {
  assertSkippedAndTimedOut,
  oneJob,
  runStages,
  runStagesCancelledAt,
} from "./_stage_helpers.ts";
import { concurrencyTracker } from "./_tracker.ts";

describe("foreach stage", () => {
  it("runs the nested stages per item with item and loop in scope", async () => {
    const run = await runStages(oneJob(`
      - name: Each
        id: each
        foreach: [a, b]
        stages:
          - name: Show
            id: show
            run: "return { text: context.item + context.loop };"
          - name: Only b
            id: only-b
            if: "item == 'b'"
            echo: "\${{ item }}"
    `));
    assert.equal(run.result.status, "SUCCESS");
    assert.deepEqual(run.stages.each, {
      status: "SUCCESS",
      outputs: {
        items: ["a", "b"],
        foreach: {
          a: {
            item: "a",
            status: "SUCCESS",
            stages: {
              show: { status: "SUCCESS", outputs: { text: "a0" } },
              "only-b": { status: "SKIP", outputs: {}, skipped: true },
            },
          },
          b: {
            item: "b",
            status: "SUCCESS",
            stages: {
              show: { status: "SUCCESS", outputs: { text: "b1" } },
              "only-b": { status: "SUCCESS", outputs: {} },
            },
          },
        },
      },
    });
  });

  it("takes its list from an earlier stage's output through a template", async () => {
    const getItems = tag("demo")(function getItems() {
      return { items: [1, 2, 3] };
    });
    const run = await runStages(
      oneJob(`
        - name: Get
          id: get
          uses: tasks/get-items@demo
        - name: Each
          id: each
          foreach: "\${{ stages.get.outputs.items }}"
          stages:
            - name: Square
              id: square
              run: "return { sq: context.item ** 2 };"
      `),
      { engine: { registry: new Registry().register("tasks", [getItems]) } },
    );
    const entry = run.stages.each as {
      outputs: { items: unknown[]; foreach: Record<string, { stages: { square: unknown } }> };
    };
    assert.deepEqual(entry.outputs.items, [1, 2, 3]);
    assert.deepEqual(Object.keys(entry.outputs.foreach), ["1", "2", "3"]);
    assert.deepEqual(entry.outputs.foreach["3"].stages.square, {
      status: "SUCCESS",
      outputs: { sq: 9 },
    });
  });

  it("runs at most `concurrent` items at once", async () => {
    const tracker = concurrencyTracker(3, 6);
    const run = await runStages(
      oneJob(`
        - name: Each
          id: each
          foreach: [1, 2, 3, 4, 5, 6]
          concurrent: 3
          stages:
            - name: Track
              uses: g/track@v1
              with: { value: "\${{ item }}" }
      `),
      { engine: { registry: tracker.registry }, fakeClock: true },
    );
    assert.equal(run.result.status, "SUCCESS");
    assert.deepEqual([...tracker.calls()].sort(), [1, 2, 3, 4, 5, 6]);
    assert.equal(tracker.peak(), 3);
  });

  it("runs one item at a time by default", async () => {
    const tracker = concurrencyTracker(1, 3);
    await runStages(
      oneJob(`
        - name: Each
          id: each
          foreach: [1, 2, 3]
          stages:
            - name: Track
              uses: g/track@v1
              with: { value: "\${{ item }}" }
      `),
      { engine: { registry: tracker.registry }, fakeClock: true },
    );
    assert.deepEqual(tracker.calls(), [1, 2, 3]);
    assert.equal(tracker.peak(), 1);
  });

  it("rejects duplicate items unless use-index-as-key is set", async () => {
    const run = await runStages(oneJob(`
      - name: Dupes
        id: dupes
        continue-on-error: true
        foreach: [x, x]
        stages:
          - name: Show
            echo: "\${{ item }}"
      - name: Indexed
        id: indexed
        foreach: [x, x]
        use-index-as-key: true
        stages:
          - name: Show
            id: show
            echo: "\${{ item }}"
    `));
    assert.deepEqual(run.stages.dupes, {
      status: "FAILED",
      outputs: {},
      errors: {
        name: "NonRetriableError",
        message:
          "foreach items must be unique, 'x' appears twice; set use-index-as-key: true to allow duplicates",
      },
    });
    const indexed = run.stages.indexed as { status: string; outputs: { foreach: object } };
    assert.equal(indexed.status, "SUCCESS");
    assert.deepEqual(Object.keys(indexed.outputs.foreach), ["0", "1"]);
  });

  it("fails clearly when the template does not give a list", async () => {
    const run = await runStages(
      oneJob(
        `
        - name: Each
          id: each
          foreach: "\${{ params.things }}"
          stages:
            - name: Show
              echo: "\${{ item }}"
        `,
        { params: "things: map" },
      ),
      { params: { things: { a: 1 } } },
    );
    const entry = run.stages.each as { status: string; errors: { message: string } };
    assert.equal(entry.status, "FAILED");
    assert.match(entry.errors.message, /foreach must be a list .* gave object/);
  });

  it("cancels the remaining items when one fails", async () => {
    const run = await runStages(oneJob(`
      - name: Each
        id: each
        foreach: [1, 2, 3]
        concurrent: 2
        stages:
          - name: Work
            id: work
            if: "item == 1"
            raise: "item \${{ item }} is bad"
          - name: Nap
            id: nap
            sleep: 30
    `));
    assert.equal(run.result.status, "FAILED");
    const entry = run.stages.each as {
      status: string;
      errors: { message: string };
      outputs: { foreach: Record<string, { status: string }> };
    };
    assert.equal(entry.status, "FAILED");
    assert.equal(entry.errors.message, "item '1' failed: stage 'work' failed: item 1 is bad");
    assert.deepEqual(
      Object.fromEntries(Object.entries(entry.outputs.foreach).map(([k, v]) => [k, v.status])),
      { 1: "FAILED", 2: "CANCEL", 3: "CANCEL" },
    );
  });

  it("skips when if is false, and stops at its timeout", async () => {
    const run = await runStages(
      oneJob(`
      - name: Skipped
        id: skipped
        if: "false"
        foreach: [1]
        stages:
          - name: x
            raise: never
      - name: Slow
        id: slow
        timeout: 0.2
        foreach: [1, 2]
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
        - name: Each
          id: each
          foreach: [1, 2]
          stages:
            - name: Nap
              id: nap
              sleep: 30
      `),
    );
    assert.equal(run.result.status, "CANCEL");
    assert.equal((run.stages.each as { status: string }).status, "CANCEL");
  });
});
