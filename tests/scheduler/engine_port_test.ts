/**
 * The scheduler knows an engine only through its `SchedulerEngine` port: `release()` and the
 * `Scheduler` run on any object with those members, not just an `Engine`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { indexConfig } from "../../src/config/loader.ts";
import type { Result } from "../../src/executor/result.ts";
import { MemoryAuditStore } from "../../src/results/memory_audit_store.ts";
import { createMemoryRuntime } from "../../src/runtime/memory.ts";
import type { ReleaseExecuteOptions, SchedulerEngine } from "../../src/scheduler/engine_port.ts";
import { release } from "../../src/scheduler/release.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { createFilters } from "../../src/template/mod.ts";
import { DAY } from "./_helpers.ts";

const YAML = `
nightly:
  type: Workflow
  params:
    asat: {type: datetime}
    token: {type: str}
  on: [{cronjob: "0 0 * * *"}]
  jobs:
    j: {stages: [{name: hi, echo: hi}]}
`;

/** A port that records what it was asked to run instead of running it. */
function recordingPort(): {
  port: SchedulerEngine;
  runs: { workflow: string; params: Record<string, unknown>; options: ReleaseExecuteOptions }[];
} {
  const runtime = createMemoryRuntime({ now: DAY, env: { NIGHTLY_TOKEN: "s3cr3t" } });
  const config = indexConfig([{ path: "wf.yml", text: YAML }]);
  const runs: {
    workflow: string;
    params: Record<string, unknown>;
    options: ReleaseExecuteOptions;
  }[] = [];
  const port: SchedulerEngine = {
    runtime,
    settings: { timezone: "Asia/Bangkok", secretEnv: [] },
    config,
    filters: createFilters(),
    events: new EventTarget(),
    owner: { id: "test-double" },
    workflow: (name) => config.workflow(name),
    newRunId: (name) => `${name}-${runs.length + 1}`,
    execute(workflow, params, options) {
      runs.push({ workflow: workflow.name, params: { ...params }, options });
      const result: Result = {
        status: "SUCCESS",
        runId: options.runId!,
        context: {
          params: { ...params },
          jobs: {},
          status: "SUCCESS",
        } as unknown as Result["context"],
      };
      return Promise.resolve(result);
    },
  };
  return { port, runs };
}

describe("the SchedulerEngine port", () => {
  it("release() runs through a port that is not an Engine, with its clock, zone and env", async () => {
    const { port, runs } = recordingPort();
    const audits = new MemoryAuditStore();
    const report = await release(port, "nightly", DAY, {
      audits,
      params: { token: "${NIGHTLY_TOKEN}" },
    });
    assert.equal(report.status, "SUCCESS");
    assert.equal(runs.length, 1);
    assert.equal(runs[0].workflow, "nightly");
    assert.equal(runs[0].params.token, "s3cr3t");
    assert.equal(runs[0].options.runId, "nightly-1");
    assert.equal(runs[0].options.logicalDate, DAY);
    // The env value named like a secret is handed on to be masked by the run.
    assert.deepEqual(runs[0].options.secrets, ["s3cr3t"]);
    const audit = (await audits.list("nightly"))[0];
    assert.equal(audit.runId, "nightly-1");
    assert.equal(audit.createdAt, DAY);
    // A second normal release of the same time is a duplicate: the port is not called again.
    const again = await release(port, "nightly", DAY, { audits });
    assert.equal(again.status, "SKIPPED_DUPLICATE");
    assert.equal(runs.length, 1);
  });

  it("the Scheduler lists the workflows of the port's config and releases on its clock", async () => {
    const { port, runs } = recordingPort();
    const scheduler = new Scheduler(port, { audits: new MemoryAuditStore(), workflows: true });
    assert.deepEqual(scheduler.tasks().map((task) => task.alias), ["nightly"]);
    const runtime = port.runtime as ReturnType<typeof createMemoryRuntime>;
    const done = scheduler.start({ stop: DAY + 86_400_000 + 1_000 });
    await runtime.clock.runUntilIdle();
    await done;
    // The fake clock starts on a fire time (midnight UTC) and runs to the next one.
    assert.deepEqual(runs.map((run) => run.options.logicalDate), [DAY, DAY + 86_400_000]);
    assert.deepEqual(runs.map((run) => run.options.runId), ["nightly-1", "nightly-2"]);
  });
});
