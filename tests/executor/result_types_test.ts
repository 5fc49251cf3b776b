// A type-level test as much as a run-time one: `deno check tests/` (part of the gate) fails when
// `Result.context` stops being typed, because every read below compiles without a cast only
// when `RunContext`, `JobContext`, `StrategyContext` and `StageContext` describe the real shape.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type {
  JobContext,
  Result,
  RunContext,
  StageContext,
  Status,
  StrategyContext,
} from "../../core.ts";
import { engineFor } from "../_helpers.ts";

const WORKFLOW = `
typed-context:
  type: Workflow
  params:
    name: {type: str, default: ada}
  jobs:
    a:
      stages:
        - name: x
          id: x
          bash: echo "hi \${{ params.name }}"
        - name: route
          id: route
          case: "\${{ params.name }}"
          match:
            - case: ada
              stages:
                - name: inner
                  id: inner
                  echo: inner
    m:
      strategy:
        matrix:
          n: [1, 2]
      stages:
        - name: y
          id: y
          echo: "n=\${{ matrix.n }}"
    never:
      if: "\${{ params.name == 'nobody' }}"
      stages:
        - name: z
          echo: z
`;

/** Compiles only when `value` is assignable to `T` (an `unknown` never is). */
function exactly<T>(value: T): T {
  return value;
}

describe("Result.context types", () => {
  it("reads a stage's outputs as result.context.jobs.<job>.stages.<stage>.outputs without a cast", async () => {
    const engine = await engineFor(WORKFLOW);
    try {
      const result: Result = await engine.execute("typed-context");
      const context: RunContext = result.context;
      assert.equal(context.status, "SUCCESS");
      const stdout = result.context.jobs.a.stages!.x.outputs.stdout;
      assert.equal(stdout, "hi ada");
      const stage: StageContext = result.context.jobs.a.stages!.x;
      assert.equal(exactly<Status>(stage.status), "SUCCESS");
      assert.match(exactly<string>(stage.info.start), /^\d{4}-\d{2}-\d{2}T/);
      assert.equal(typeof exactly<number>(result.context.info.duration_ms), "number");
      assert.deepEqual(exactly<Record<string, unknown>>(result.context.params), { name: "ada" });
      // @ts-expect-error a stage's status is a Status, not a number
      const wrong: number = stage.status;
      assert.equal(typeof wrong, "string");
    } finally {
      await engine.close();
    }
  });

  it("types matrix strategies, skipped jobs and errors as the executor records them", async () => {
    const engine = await engineFor(WORKFLOW);
    try {
      const result = await engine.execute("typed-context");
      const job: JobContext = result.context.jobs.m;
      const strategies: StrategyContext[] = Object.values(job.strategies ?? {});
      assert.deepEqual(strategies.map((s) => s.matrix.n).sort(), [1, 2]);
      assert.deepEqual(
        strategies.map((s) => s.stages.y.status),
        ["SUCCESS", "SUCCESS"],
      );
      const skipped = result.context.jobs.never;
      assert.equal(exactly<boolean | undefined>(skipped.skipped), true);
      assert.equal(skipped.stages, undefined);
      assert.equal(exactly<string | undefined>(result.context.errors?.message), undefined);
      assert.match(exactly<string>(skipped.info.end), /Z$/);
    } finally {
      await engine.close();
    }
  });

  it("keeps nested stage entries inside the parent stage's outputs", async () => {
    const engine = await engineFor(WORKFLOW);
    try {
      const result = await engine.execute("typed-context");
      const route = result.context.jobs.a.stages?.route;
      assert.equal(route?.outputs.case, "ada");
      const nested = route?.outputs.stages as Record<string, StageContext>;
      assert.equal(nested.inner.status, "SUCCESS");
    } finally {
      await engine.close();
    }
  });

  it("marks a job kept by a resumed run with resumed_from", async () => {
    const engine = await engineFor(WORKFLOW);
    try {
      const first = await engine.execute("typed-context");
      const second = await engine.execute("typed-context", {}, {
        resume: { runId: first.runId, context: first.context },
      });
      assert.equal(exactly<string | undefined>(second.context.jobs.a.resumed_from), first.runId);
      assert.equal(second.context.jobs.a.stages?.x.outputs.stdout, "hi ada");
    } finally {
      await engine.close();
    }
  });
});
