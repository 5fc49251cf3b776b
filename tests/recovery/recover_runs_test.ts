// Run records through the engine: checkpoints per job, recovery of runs whose owner process
// ended (resume or fail), and the fencing of an owner that was taken over. In one process:
// two memory runtimes on one FakeProcessTable play two processes of one machine.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMemoryRuntime, FakeProcessTable } from "../../src/runtime/memory.ts";
import { MemoryRunStore } from "../../src/results/memory_run_store.ts";
import { MemoryAuditStore } from "../../src/results/memory_audit_store.ts";
import { MemoryTraceStore } from "../../src/results/memory_trace_store.ts";
import type { RunStore } from "../../src/results/run_store.ts";
import { Registry, tag } from "../../src/stages/registry.ts";
import { recoverRuns } from "../../src/recovery.ts";
import { RunIdError } from "../../src/errors.ts";
import { release } from "../../src/scheduler/release.ts";
import { engineFor } from "../_helpers.ts";

const YAML = `
wf:
  type: Workflow
  params:
    name: str
  jobs:
    first:
      stages:
        - name: one
          id: one
          uses: tasks/step@v1
          with: { job: first, name: "\${{ params.name }}" }
    second:
      needs: [first]
      stages:
        - name: two
          id: two
          uses: tasks/step@v1
          with: { job: second, from: "\${{ jobs.first.stages.one.outputs.echo }}" }
    third:
      needs: [second]
      stages:
        - name: three
          id: three
          uses: tasks/step@v1
          with: { job: third }
`;

/** Tasks that count each job's runs; `hold` makes a job wait until released. */
function tasks() {
  const ran: string[] = [];
  const held = new Map<string, () => void>();
  const holding = new Set<string>();
  const started = new Map<string, () => void>();
  const step = tag("v1", { alias: "step" })(async (args: Record<string, unknown>) => {
    const job = String(args.job);
    ran.push(job);
    started.get(job)?.();
    if (holding.has(job)) await new Promise<void>((resolve) => held.set(job, resolve));
    return { echo: `${job}:${String(args.name ?? args.from ?? "")}` };
  });
  return {
    registry: new Registry().register("tasks", [step]),
    ran,
    hold: (job: string) => holding.add(job),
    release: (job: string) => {
      holding.delete(job);
      held.get(job)?.();
    },
    whenStarted: (job: string) => new Promise<void>((resolve) => started.set(job, resolve)),
  };
}

async function machine(table: FakeProcessTable, runs: RunStore, extra = {}) {
  const runtime = createMemoryRuntime({ cwd: "/app", processes: table });
  const t = tasks();
  const engine = await engineFor(YAML, {
    runtime,
    registry: t.registry,
    runs,
    traces: new MemoryTraceStore(),
    audits: null,
    ...extra,
  });
  return { engine, runtime, ...t };
}

/** Starts a run on `a` and stops (as if killed) once `first` is checkpointed and `second` runs. */
async function orphanAfterFirstJob(table: FakeProcessTable, runs: RunStore) {
  const a = await machine(table, runs);
  a.hold("second");
  const secondStarted = a.whenStarted("second");
  const running = a.engine.execute("wf", { name: "x" }, { runId: "run-a" });
  await secondStarted;
  table.end(a.runtime.processes.self().pid); // the owner process "dies"
  return { a, running };
}

describe("run records through the engine", () => {
  it("a run is recorded running under this process, each job is checkpointed, and it ends", async () => {
    const runs = new MemoryRunStore();
    const a = await machine(new FakeProcessTable(), runs);
    a.hold("second");
    const secondStarted = a.whenStarted("second");
    const running = a.engine.execute("wf", { name: "x" }, { runId: "run-1" });
    await secondStarted;
    const during = await runs.get("run-1");
    assert.equal(during?.state, "running");
    assert.equal(during?.attempt, 1);
    assert.equal(during?.owner?.id, `memory-host:${a.runtime.processes.self().pid}`);
    assert.deepEqual(during?.params, { name: "x" });
    assert.deepEqual(
      Object.keys(during!.jobs),
      ["first"],
      "first is checkpointed before second ends",
    );
    assert.deepEqual(
      (during!.jobs.first as { stages: Record<string, { outputs: unknown }> }).stages.one.outputs,
      { echo: "first:x" },
    );
    a.release("second");
    const result = await running;
    assert.equal(result.status, "SUCCESS");
    const ended = await runs.get("run-1");
    assert.equal(ended?.state, "ended");
    assert.equal(ended?.status, "SUCCESS");
    assert.deepEqual(Object.keys(ended!.jobs).sort(), ["first", "second", "third"]);
  });

  it("a run id the run store holds is refused before anything runs", async () => {
    const runs = new MemoryRunStore();
    await runs.enqueue({ runId: "old-1", workflow: "wf", params: {}, labels: [], queuedAt: 0 });
    const a = await machine(new FakeProcessTable(), runs);
    await assert.rejects(
      a.engine.execute("wf", { name: "x" }, { runId: "old-1" }),
      (error: unknown) =>
        error instanceof RunIdError && error.reason === "taken" &&
        /is recorded in the run store/.test(error.message),
    );
    assert.deepEqual(a.ran, []);
    assert.equal((await runs.get("old-1"))?.state, "queued", "the old record is untouched");
  });

  it("recovery resumes an orphan from its checkpoint: the finished job does not run again", async () => {
    const table = new FakeProcessTable();
    const runs = new MemoryRunStore();
    const { a, running } = await orphanAfterFirstJob(table, runs);
    const b = await machine(table, runs);
    const [recovered] = await recoverRuns(b.engine);
    assert.equal(recovered.action, "resumed");
    assert.equal(recovered.runId, "run-a");
    assert.equal(recovered.attempt, 2);
    assert.deepEqual(recovered.kept, ["first"]);
    assert.equal(recovered.previousOwner, `memory-host:${a.runtime.processes.self().pid}`);
    assert.equal(await recovered.done, "SUCCESS");
    assert.deepEqual(b.ran, ["second", "third"], "first kept from the checkpoint, not run again");
    const record = await runs.get("run-a");
    assert.equal(record?.status, "SUCCESS");
    assert.equal(record?.owner?.id, b.engine.owner.id);
    const second = record!.jobs.second as { stages: Record<string, { outputs: unknown }> };
    assert.deepEqual(
      second.stages.two.outputs,
      { echo: "second:first:x" },
      "outputs of first reused",
    );
    // The "dead" process wakes up: its next checkpoint is refused and its run is cancelled.
    a.release("second");
    const stale = await running;
    assert.equal(stale.status, "CANCEL");
    assert.equal((stale.context.errors as { name: string }).name, "StaleAttemptError");
    assert.equal(
      (await runs.get("run-a"))?.status,
      "SUCCESS",
      "nothing the stale owner did was written",
    );
    assert.equal(Object.keys((await runs.get("run-a"))!.jobs).length, 3);
  });

  it("with recover=fail an orphan ends FAILED with 'owner process ended', in the trace too", async () => {
    const table = new FakeProcessTable();
    const runs = new MemoryRunStore();
    const { a, running } = await orphanAfterFirstJob(table, runs);
    const traces = new MemoryTraceStore();
    const b = await machine(table, runs, { settings: { recover: "fail" }, traces });
    const recovered = await recoverRuns(b.engine);
    assert.deepEqual(recovered.map((r) => [r.runId, r.action]), [["run-a", "failed"]]);
    const record = await runs.get("run-a");
    assert.equal(record?.state, "ended");
    assert.equal(record?.status, "FAILED");
    assert.equal(record?.reason, "owner process ended");
    assert.deepEqual(b.ran, []);
    const trace = (await traces.getTrace("run-a")) ?? [];
    assert.ok(trace.some((r) =>
      r.event === "run-end" && r.status === "FAILED" &&
      /owner process ended/.test(r.message)
    ));
    const [summary] = await traces.listRuns({ limit: 10 });
    assert.equal(summary.runId, "run-a");
    assert.equal(summary.status, "FAILED", "the run no longer shows as running");
    a.release("second");
    assert.equal((await running).status, "CANCEL", "the old owner, back, is fenced off");
    assert.equal((await runs.get("run-a"))?.reason, "owner process ended");
  });

  it("runs of a live owner, and ended runs, are left alone; two recoverers never both win", async () => {
    const table = new FakeProcessTable();
    const runs = new MemoryRunStore();
    const a = await machine(table, runs);
    a.hold("second");
    const secondStarted = a.whenStarted("second");
    const running = a.engine.execute("wf", { name: "x" }, { runId: "live" });
    await secondStarted;
    const b = await machine(table, runs);
    assert.deepEqual(await recoverRuns(b.engine), [], "the owner is alive");
    table.end(a.runtime.processes.self().pid);
    const c = await machine(table, runs);
    const both = await Promise.all([
      recoverRuns(b.engine, { mode: "fail" }),
      recoverRuns(c.engine, { mode: "fail" }),
    ]);
    assert.equal(both.flat().length, 1, "one takeover of one orphan");
    a.release("second");
    await running;
    assert.deepEqual(await recoverRuns(c.engine), [], "nothing left running");
  });

  it("a recovered release writes its audit once it ends", async () => {
    const table = new FakeProcessTable();
    const runs = new MemoryRunStore();
    const audits = new MemoryAuditStore();
    const a = await machine(table, runs);
    a.hold("second");
    const secondStarted = a.whenStarted("second");
    const day = Date.UTC(2026, 0, 1);
    const stale = release(a.engine, "wf", day, {
      audits,
      params: { name: "${{ release.run_id }}" },
    });
    await secondStarted;
    table.end(a.runtime.processes.self().pid);
    assert.deepEqual(await audits.claim("wf", day, "another"), {
      won: false,
      owner: a.engine.owner.id,
    });
    const b = await machine(table, runs);
    const [recovered] = await recoverRuns(b.engine, { audits });
    assert.equal(await recovered.done, "SUCCESS");
    const audit = await audits.find("wf", day);
    assert.equal(audit?.status, "SUCCESS");
    assert.equal(audit?.runId, recovered.runId);
    assert.deepEqual(
      (audit?.context.params as Record<string, unknown>).name,
      recovered.runId,
      "params rendered by the first attempt are kept",
    );
    a.release("second");
    assert.equal((await stale).status, "CANCEL");
    assert.deepEqual(
      (await audits.list("wf")).map((r) => r.status),
      ["SUCCESS"],
      "the fenced-off attempt writes no audit",
    );
  });
});
