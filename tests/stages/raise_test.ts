import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { oneJob, runStages } from "./_stage_helpers.ts";

describe("raise stage", () => {
  it("fails with the rendered message and is not retried", async () => {
    const run = await runStages(
      oneJob(
        `
        - name: Stop
          id: stop
          retry: { attempts: 3, delay: 0 }
          raise: "cannot load \${{ params.table }}"
        - name: After
          id: after
          echo: never
        `,
        { params: "table: str" },
      ),
      { params: { table: "sales" } },
    );
    assert.equal(run.result.status, "FAILED");
    assert.deepEqual(run.stages, {
      stop: {
        status: "FAILED",
        outputs: {},
        errors: { name: "NonRetriableError", message: "cannot load sales" },
      },
    });
    assert.ok(!run.logs.some((m) => m.includes("retrying")));
    assert.equal(run.job.status, "FAILED");
  });

  it("skips when if is false", async () => {
    const run = await runStages(oneJob(`
      - name: Stop
        id: stop
        if: "false"
        raise: never
    `));
    assert.equal(run.result.status, "SKIP");
    assert.deepEqual(run.stages, { stop: { status: "SKIP", outputs: {}, skipped: true } });
  });
});
