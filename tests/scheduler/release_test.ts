import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryAuditStore } from "../../src/results/memory_audit_store.ts";
import { poke, release } from "../../src/scheduler/release.ts";
import { DAY, fakeEngine } from "./_helpers.ts";

const YAML = `
wf-etl:
  type: Workflow
  params:
    asat: {type: datetime}
    label: {type: str, default: none}
  on: [{cronjob: "* * * * *"}, {cronjob: "*/2 * * * *"}]
  jobs:
    load:
      stages:
        - name: say
          id: say
          echo: "\${{ params.label }} at \${{ params.asat }}"
wf-act:
  type: Workflow
  jobs:
    j: {stages: [{name: act, bash: "echo acted"}]}
wf-two-step:
  type: Workflow
  params: {fail: {type: str, default: "no"}}
  jobs:
    first:
      stages: [{name: one, id: one, echo: "first"}]
    second:
      needs: [first]
      stages:
        - name: maybe
          id: maybe
          if: "params.fail == 'yes'"
          raise: "second broke"
        - name: two
          id: two
          echo: "second"
wf-flaky:
  type: Workflow
  params: {fail: {type: str, default: "no"}}
  jobs:
    j:
      stages:
        - name: always
          echo: "hi"
        - name: maybe
          raise: "boom"
          if: "\${{ params.fail == 'yes' }}"
`;

const AT = DAY + 6 * 3_600_000;

describe("release()", () => {
  it("renders release.* into params and writes an audit named after the alias", async () => {
    const { engine, runtime } = await fakeEngine(YAML, AT + 42_000);
    const audits = new MemoryAuditStore();
    const report = await release(engine, "wf-etl", AT, {
      audits,
      alias: "etl-bkk",
      type: "dryrun",
      params: {
        asat: "${{ release.logical_date }}",
        label:
          "${{ release.timezone }}/${{ release.type }}/${{ release.execute_date | fmt('%H:%M:%S') }}",
      },
      timezone: "Asia/Bangkok",
    });
    assert.equal(report.status, "SUCCESS");
    const params = report.result?.context.params as Record<string, unknown>;
    assert.equal((params.asat as Date).toISOString(), "2026-03-02T06:00:00.000Z");
    assert.equal(params.label, "Asia/Bangkok/dryrun/13:00:42");
    const scope = report.result?.context.release as Record<string, unknown>;
    assert.equal(scope.run_id, report.result?.runId);
    // A dry run runs no action stage (this runtime cannot spawn) and writes nothing.
    const dry = await release(engine, "wf-act", AT, { audits, type: "dryrun" });
    assert.equal(dry.status, "SUCCESS");
    assert.equal((await release(engine, "wf-act", AT, { audits, type: "force" })).status, "FAILED");
    assert.equal((await audits.list("wf-act")).length, 1);
    assert.deepEqual(await audits.list("etl-bkk"), []);

    const normal = await release(engine, "wf-etl", AT, {
      audits,
      alias: "etl-bkk",
      params: { asat: "${{ release.logical_date }}" },
    });
    assert.equal(normal.status, "SUCCESS");
    const [audit] = await audits.list("etl-bkk");
    assert.equal(audit.release, AT);
    assert.equal(audit.type, "normal");
    assert.equal(audit.runId, normal.result?.runId);
    assert.equal(audit.createdAt, runtime.clock.now());
    assert.equal(
      (audit.context.params as Record<string, unknown>).asat,
      "2026-03-02T06:00:00.000Z",
    );
    assert.equal(
      (audit.context.release as Record<string, unknown>).logical_date,
      "2026-03-02T06:00:00.000Z",
    );
  });

  it("skips a normal release that already has an audit, and says so; force runs it again", async () => {
    const { engine } = await fakeEngine(YAML, AT);
    const audits = new MemoryAuditStore();
    const params = { asat: "${{ release.logical_date }}" };
    const first = await release(engine, "wf-etl", AT + 999, { audits, params, type: "dryrun" });
    assert.equal(first.status, "SUCCESS");
    const ran = await release(engine, "wf-etl", AT + 999, { audits, params });
    assert.equal(ran.logicalDate, AT, "logical dates are whole seconds");
    const again = await release(engine, "wf-etl", AT, { audits, params });
    assert.equal(again.status, "SKIPPED_DUPLICATE");
    assert.equal(again.result, undefined);
    assert.equal(again.audit?.runId, ran.result?.runId);
    assert.match(
      again.skippedReason ?? "",
      /^release wf-etl @ 2026-03-02T06:00:00Z already ran \(run \S+, SUCCESS\); use force/,
    );
    const forced = await release(engine, "wf-etl", AT, { audits, params, type: "force" });
    assert.equal(forced.status, "SUCCESS");
    const types = (await audits.list("wf-etl")).map((a) => a.type).sort();
    assert.deepEqual(types, ["force", "normal"]);
  });

  it("runs only one of two concurrent normal releases of the same time", async () => {
    const { engine } = await fakeEngine(YAML, AT);
    const audits = new MemoryAuditStore();
    const params = { asat: "2026-03-02T06:00:00Z" };
    const [a, b] = await Promise.all([
      release(engine, "wf-etl", AT, { audits, params }),
      release(engine, "wf-etl", AT, { audits, params }),
    ]);
    assert.deepEqual([a.status, b.status].sort(), ["SKIPPED_DUPLICATE", "SUCCESS"]);
    assert.equal((await audits.list("wf-etl")).length, 1);
  });

  it("reruns a failed release but not a succeeded one", async () => {
    const { engine } = await fakeEngine(YAML, AT);
    const audits = new MemoryAuditStore();
    const failed = await release(engine, "wf-flaky", AT, { audits, params: { fail: "yes" } });
    assert.equal(failed.status, "FAILED");
    assert.equal((await audits.find("wf-flaky", AT))?.status, "FAILED");
    const rerun = await release(engine, "wf-flaky", AT, { audits, type: "rerun" });
    assert.equal(rerun.status, "SUCCESS");
    const again = await release(engine, "wf-flaky", AT, { audits, type: "rerun" });
    assert.equal(again.status, "SKIPPED_DUPLICATE");
    assert.deepEqual((await audits.list("wf-flaky")).map((a) => a.type), ["rerun", "normal"]);
  });

  it("reruns only the jobs that did not succeed in the audited run", async () => {
    const { engine } = await fakeEngine(YAML, AT);
    const audits = new MemoryAuditStore();
    const failed = await release(engine, "wf-two-step", AT, { audits, params: { fail: "yes" } });
    assert.equal(failed.status, "FAILED");
    const rerun = await release(engine, "wf-two-step", AT, { audits, type: "rerun" });
    assert.equal(rerun.status, "SUCCESS");
    const jobs = rerun.result!.context.jobs as Record<
      string,
      { status: string; resumed_from?: string }
    >;
    assert.equal(jobs.first.resumed_from, failed.result!.runId);
    assert.equal(jobs.second.status, "SUCCESS");
    assert.equal(jobs.second.resumed_from, undefined);
  });

  it("fails before running anything when a rendered param is invalid", async () => {
    const { engine } = await fakeEngine(YAML, AT);
    const audits = new MemoryAuditStore();
    await assert.rejects(
      release(engine, "wf-etl", AT, { audits, params: { asat: "${{ release.nope }}" } }),
      { name: "TemplateError" },
    );
    assert.deepEqual(await audits.list(), []);
  });
});

describe("poke()", () => {
  it("runs each fire time of the workflow's on inside the window once, in order", async () => {
    const { engine } = await fakeEngine(YAML, AT);
    const audits = new MemoryAuditStore();
    const params = { asat: "${{ release.logical_date }}" };
    const reports = await poke(engine, "wf-etl", {
      audits,
      start: AT + 15_000,
      periods: 2,
      params,
    });
    assert.deepEqual(
      reports.map((r) => [new Date(r.logicalDate).toISOString(), r.status]),
      [["2026-03-02T06:01:00.000Z", "SUCCESS"], ["2026-03-02T06:02:00.000Z", "SUCCESS"]],
    );
    const again = await poke(engine, "wf-etl", { audits, start: AT, periods: 2, params });
    assert.deepEqual(again.map((r) => r.status), ["SKIPPED_DUPLICATE", "SKIPPED_DUPLICATE"]);
    await assert.rejects(poke(engine, "wf-etl", { audits, periods: 0 }), {
      message: "poke periods must be 1 or more, got 0",
    });
  });
});
