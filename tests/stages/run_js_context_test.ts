import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { oneJob, runStages } from "./_stage_helpers.ts";

type Entry = { status: string; outputs: Record<string, unknown> };

/** `n` JavaScript stages `s0…` returning a little of everything JSON turns into text. */
function jsStages(n: number): string {
  return Array.from({ length: n }, (_, i) => `
    - name: Stage ${i}
      id: s${i}
      run: "return { i: ${i}, date: new Date(${i}), missing: undefined, nan: NaN, list: [${i}] };"
  `).join("");
}

/** The entries job `j` recorded, with their timing info (a JavaScript stage sees that too). */
function recordedStages(context: unknown): Record<string, Entry> {
  return (context as { jobs: { j: { stages: Record<string, Entry> } } }).jobs.j.stages;
}

const SHOW = `
    - name: Show
      id: show
      run: "return { seen: JSON.stringify(context) };"
`;

describe("run stage (JavaScript): the context it reads", () => {
  it("late in a run holds every earlier stage's entry, as JSON, in order", async () => {
    const run = await runStages(
      oneJob(
        `${jsStages(30)}
    - name: Skipped
      id: skipped
      if: "false"
      run: "return {};"
    - name: Said
      id: said
      echo: "hello \${{ params.who }}"${SHOW}`,
        { params: "who: str" },
      ),
      { params: { who: "ann" } },
    );
    assert.equal(run.result.status, "SUCCESS", JSON.stringify(run.stages));
    const recorded = recordedStages(run.result.context);
    const { show, ...before } = recorded;
    const expected = JSON.stringify({
      params: run.result.context.params,
      jobs: {},
      matrix: {},
      stages: before,
    });
    assert.equal(show.outputs.seen, expected);
    const seen = JSON.parse(show.outputs.seen as string);
    assert.deepEqual(seen.stages.s29.outputs, {
      i: 29,
      date: "1970-01-01T00:00:00.029Z",
      nan: null,
      list: [29],
    });
    assert.equal(Object.keys(seen.stages).length, 32);
  });

  it("is the same for a stage on a fresh worker and one on a reused worker", async () => {
    const run = await runStages(
      oneJob(`${jsStages(3)}
    - name: Stuck
      id: stuck
      timeout: 300ms
      continue-on-error: true
      run: "while (true) {}"
    - name: Fresh
      id: fresh
      run: |
        const fresh = globalThis.mark === undefined;
        globalThis.mark = "used";
        return { fresh, seen: JSON.stringify(context) };
    - name: Reused
      id: reused
      run: "return { fresh: globalThis.mark === undefined, seen: JSON.stringify(context) };"
  `),
    );
    assert.equal(run.result.status, "SUCCESS", JSON.stringify(run.stages));
    const recorded = recordedStages(run.result.context);
    const scopeBefore = (id: string) => {
      const ids = Object.keys(recorded);
      const stages = Object.fromEntries(
        ids.slice(0, ids.indexOf(id)).map((key) => [key, recorded[key]]),
      );
      return JSON.stringify({ params: {}, jobs: {}, matrix: {}, stages });
    };
    assert.equal(recorded.stuck.status, "FAILED");
    assert.equal(recorded.fresh.outputs.fresh, true);
    assert.equal(recorded.reused.outputs.fresh, false);
    assert.equal(recorded.fresh.outputs.seen, scopeBefore("fresh"));
    assert.equal(recorded.reused.outputs.seen, scopeBefore("reused"));
  });

  it("inside concurrent foreach items and parallel branches is that item's or branch's scope", async () => {
    const report = "return { seen: JSON.stringify({ item: context.item, loop: context.loop, " +
      "branch: context.branch, keys: Object.keys(context.stages), " +
      "first: context.stages.first.outputs.mark, got: context.stages.get.outputs.tag }) };";
    const nested = (mark: string) => `
          - name: First
            id: first
            run: "return { mark: ${mark} };"
          - name: Report
            id: report
            run: "${report}"`;
    const run = await runStages(
      oneJob(`
    - name: Get
      id: get
      run: "return { tag: 'T' };"
    - name: Each
      id: each
      foreach: [a, b, c, d]
      concurrent: 2
      stages:${nested("context.item + context.loop")}
    - name: Fan
      id: fan
      parallel:
        left:${nested("'L'").replaceAll("\n          ", "\n            ")}
        right:${nested("'R'").replaceAll("\n          ", "\n            ")}
    - name: After
      id: after
      run: "return { keys: Object.keys(context.stages), item: context.item ?? null };"
  `),
    );
    assert.equal(run.result.status, "SUCCESS", JSON.stringify(run.stages));
    const each = (run.stages.each as Entry).outputs.foreach as Record<
      string,
      { stages: Record<string, Entry> }
    >;
    const items = ["a", "b", "c", "d"];
    assert.deepEqual(
      items.map((item) => JSON.parse(each[item].stages.report.outputs.seen as string)),
      items.map((item, loop) => ({
        item,
        loop,
        keys: ["get", "first"],
        first: `${item}${loop}`,
        got: "T",
      })),
    );
    const fan = (run.stages.fan as Entry).outputs.parallel as Record<
      string,
      { stages: Record<string, Entry> }
    >;
    assert.deepEqual(
      ["left", "right"].map((branch) =>
        JSON.parse(fan[branch].stages.report.outputs.seen as string)
      ),
      [
        { branch: "left", keys: ["get", "each", "first"], first: "L", got: "T" },
        { branch: "right", keys: ["get", "each", "first"], first: "R", got: "T" },
      ],
    );
    assert.deepEqual((run.stages.after as Entry).outputs, {
      keys: ["get", "each", "fan"],
      item: null,
    });
  });
});
