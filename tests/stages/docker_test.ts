import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { indexConfig } from "../../src/config/loader.ts";
import { oneJob, runStages } from "./_stage_helpers.ts";

const DOCKER = oneJob(`
  - name: Containerised
    id: box
    image: python
    tag: "3.12"
    env: { A: "1" }
    volume: { /data: /data }
`);

describe("docker stage", () => {
  it("validates as a docker stage", () => {
    const config = indexConfig([{ path: "test.yml", text: DOCKER }]);
    const stage = config.workflow("wf").jobs.j.stages[0];
    assert.equal(stage.kind, "docker");
  });

  it("fails with a clear no-container-engine error naming the image", async () => {
    const run = await runStages(DOCKER);
    assert.equal(run.result.status, "FAILED");
    assert.deepEqual(run.stages.box, {
      status: "FAILED",
      outputs: {},
      errors: {
        name: "NonRetriableError",
        message: "docker stage 'Containerised' cannot run image 'python:3.12': no container " +
          "engine is available to this runtime; run the job on a host with one, or use a shell stage",
      },
    });
  });

  it("skips when if is false", async () => {
    const run = await runStages(oneJob(`
      - name: Containerised
        id: box
        if: "false"
        image: alpine
    `));
    assert.deepEqual(run.stages, { box: { status: "SKIP", outputs: {}, skipped: true } });
  });
});
