import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { oneJob, runStages } from "./_stage_helpers.ts";
import type { CallResolver } from "../../src/stages/types.ts";

/** `tasks/echo@t` returns its args as outputs (cheap, no worker or subprocess). */
const registry: CallResolver = {
  resolve: (ref) => Promise.resolve({ ref, fn: (args: Record<string, unknown>) => args }),
};

/** The reference's stream shape: an earlier stage of the job feeds nested stages. */
const GET = `
    - name: Get
      id: get
      uses: tasks/echo@t
      with: {items: [a, b], tag: T}
`;

type Entry = { status: string; outputs: Record<string, unknown>; errors?: { message: string } };

describe("nested stages", () => {
  it("in foreach read the job's earlier stages and their earlier siblings", async () => {
    const run = await runStages(
      oneJob(`${GET}
    - name: Each
      id: each
      foreach: "\${{ stages.get.outputs.items }}"
      stages:
        - name: Prefix
          id: prefix
          uses: tasks/echo@t
          with: {value: "\${{ stages.get.outputs.tag }}-\${{ item }}"}
        - name: Show
          id: show
          uses: tasks/echo@t
          with: {value: "\${{ stages.prefix.outputs.value }}!"}
  `),
      { engine: { registry } },
    );
    assert.equal(run.result.status, "SUCCESS", JSON.stringify(run.stages));
    const each = (run.stages.each as Entry).outputs.foreach as Record<
      string,
      { stages: Record<string, Entry> }
    >;
    assert.deepEqual(Object.keys(each.a.stages), ["prefix", "show"]);
    assert.deepEqual(each.a.stages.show.outputs, { value: "T-a!" });
    assert.deepEqual(each.b.stages.show.outputs, { value: "T-b!" });
  });

  it("in parallel branches, and a foreach inside them, read the job's earlier stages", async () => {
    const run = await runStages(
      oneJob(`${GET}
    - name: Fan out
      id: fan
      parallel:
        left:
          - name: L
            id: l
            uses: tasks/echo@t
            with: {value: "left-\${{ stages.get.outputs.tag }}"}
          - name: Inner
            id: inner
            foreach: [1]
            stages:
              - name: Deep
                id: deep
                uses: tasks/echo@t
                with: {value: "\${{ stages.l.outputs.value }}/\${{ stages.get.outputs.tag }}"}
        right:
          - name: R
            id: r
            uses: tasks/echo@t
            with: {value: "right-\${{ stages.get.outputs.tag }}"}
  `),
      { engine: { registry } },
    );
    assert.equal(run.result.status, "SUCCESS", JSON.stringify(run.stages));
    const branches = (run.stages.fan as Entry).outputs.parallel as Record<
      string,
      { stages: Record<string, Entry> }
    >;
    assert.deepEqual(branches.left.stages.l.outputs, { value: "left-T" });
    assert.deepEqual(branches.right.stages.r.outputs, { value: "right-T" });
    const inner = branches.left.stages.inner.outputs.foreach as Record<
      string,
      { stages: Record<string, Entry> }
    >;
    assert.deepEqual(inner["1"].stages.deep.outputs, { value: "left-T/T" });
  });

  it("in case and until read the job's earlier stages", async () => {
    const run = await runStages(
      oneJob(`${GET}
    - name: Route
      id: route
      case: "\${{ stages.get.outputs.tag }}"
      match:
        - case: T
          stages:
            - name: Picked
              id: picked
              uses: tasks/echo@t
              with: {value: "picked \${{ stages.get.outputs.tag }}"}
    - name: Count
      id: count
      item: 1
      until: "loop >= 2"
      stages:
        - name: Next
          id: next
          uses: tasks/echo@t
          with: {seen: "\${{ stages.route.outputs.case }}-\${{ item }}"}
  `),
      { engine: { registry } },
    );
    assert.equal(run.result.status, "SUCCESS", JSON.stringify(run.stages));
    const route = (run.stages.route as Entry).outputs.stages as Record<string, Entry>;
    assert.deepEqual(route.picked.outputs, { value: "picked T" });
    const loops = (run.stages.count as Entry).outputs.until as Record<
      string,
      { stages: Record<string, Entry> }
    >;
    assert.deepEqual(loops["1"].stages.next.outputs, { seen: "T-1" });
  });
});
