import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { OverlapPolicy } from "../../src/models/types.ts";
import { MemoryAuditStore } from "../../src/results/memory_audit_store.ts";
import { onDecision, Scheduler, type TickDecision } from "../../src/scheduler/scheduler.ts";
import { engineFor } from "../_helpers.ts";
import { DAY, fakeEngine, iso } from "./_helpers.ts";

const MINUTE = 60_000;

function scheduleYaml(policy: string, cron: string, sleepSeconds = 0): string {
  return `
wf-slow:
  type: Workflow
  jobs:
    j: {stages: [{name: s, ${sleepSeconds > 0 ? `sleep: ${sleepSeconds}` : "echo: hi"}}]}
sched:
  type: Schedule
  ${policy}
  workflows:
    - name: wf-slow
      alias: slow
      on: [{cronjob: "${cron}"}]
`;
}

function brief(decisions: readonly TickDecision[]): string[] {
  return decisions.map((d) => `${iso(d.logicalTime).slice(11, 16)} ${d.decision}`);
}

async function overlapRun(overlap: OverlapPolicy) {
  // Every 5 minutes a release that takes 7 minutes, from 00:00 to 00:20.
  const { engine, runtime } = await fakeEngine(
    scheduleYaml(`overlap: ${overlap}`, "*/5 * * * *", 420),
  );
  const audits = new MemoryAuditStore();
  const scheduler = new Scheduler(engine, { audits });
  const done = scheduler.start({ stop: DAY + 20 * MINUTE });
  await runtime.clock.advance(60 * MINUTE);
  await done;
  const records = (await audits.list("slow")).sort((a, b) => a.release - b.release);
  return {
    decisions: brief(scheduler.decisions()),
    audits: records.map((r) =>
      `${iso(r.release).slice(11, 16)} ended ${iso(r.createdAt).slice(11, 16)}`
    ),
  };
}

describe("Scheduler overlap policy", () => {
  it("skip: a fire time is skipped while the previous release of the alias still runs", async () => {
    const { decisions, audits } = await overlapRun("skip");
    assert.deepEqual(decisions, [
      "00:00 fired",
      "00:05 skipped-overlap",
      "00:10 fired",
      "00:15 skipped-overlap",
      "00:20 fired",
    ]);
    assert.deepEqual(audits, ["00:00 ended 00:07", "00:10 ended 00:17", "00:20 ended 00:27"]);
  });

  it("allow: releases of one alias run side by side", async () => {
    const { decisions, audits } = await overlapRun("allow");
    assert.deepEqual(decisions, [
      "00:00 fired",
      "00:05 fired",
      "00:10 fired",
      "00:15 fired",
      "00:20 fired",
    ]);
    assert.deepEqual(audits, [
      "00:00 ended 00:07",
      "00:05 ended 00:12",
      "00:10 ended 00:17",
      "00:15 ended 00:22",
      "00:20 ended 00:27",
    ]);
  });

  it("queue: a fire time waits for the previous release, then runs; none is lost", async () => {
    const { decisions, audits } = await overlapRun("queue");
    assert.deepEqual(decisions, [
      "00:00 fired",
      "00:05 queued",
      "00:05 fired",
      "00:10 queued",
      "00:10 fired",
      "00:15 queued",
      "00:20 queued",
      "00:15 fired",
      "00:20 fired",
    ]);
    assert.deepEqual(audits, [
      "00:00 ended 00:07",
      "00:05 ended 00:14",
      "00:10 ended 00:21",
      "00:15 ended 00:28",
      "00:20 ended 00:35",
    ]);
  });
});

async function catchUpRun(policy: string, startAt: number, maxCatchUp?: number) {
  const { engine } = await fakeEngine(scheduleYaml(policy, "*/10 * * * *"), startAt);
  const audits = new MemoryAuditStore();
  // The last release before the downtime was 00:00.
  await audits.write({
    workflow: "slow",
    release: DAY,
    type: "normal",
    runId: "r0",
    status: "SUCCESS",
    context: {},
    durationMs: 1,
    createdAt: DAY,
  });
  const scheduler = new Scheduler(engine, { audits, ...(maxCatchUp ? { maxCatchUp } : {}) });
  await scheduler.start({ once: true });
  const ran = (await audits.list("slow")).map((r) => iso(r.release).slice(11, 16)).sort();
  return { decisions: scheduler.decisions(), ran };
}

describe("Scheduler catch-up policy after downtime", () => {
  it("none: releases missed while down are recorded as missed and not run", async () => {
    const { decisions, ran } = await catchUpRun("catch-up: none", DAY + 65 * MINUTE);
    assert.deepEqual(brief(decisions), [
      "00:10 missed",
      "00:20 missed",
      "00:30 missed",
      "00:40 missed",
      "00:50 missed",
      "01:00 missed",
    ]);
    assert.equal(
      decisions[0].reason,
      "missed while the scheduler was not running (catch-up: none)",
    );
    assert.deepEqual(ran, ["00:00"]);
  });

  it("none: a fire time within the grace period is still on time", async () => {
    const { decisions, ran } = await catchUpRun("catch-up: none", DAY + 60 * MINUTE + 30_000);
    assert.deepEqual(brief(decisions).slice(-2), ["00:50 missed", "01:00 fired"]);
    assert.deepEqual(ran, ["00:00", "01:00"]);
  });

  it("latest: only the newest missed release runs", async () => {
    const { decisions, ran } = await catchUpRun("catch-up: latest", DAY + 65 * MINUTE);
    assert.deepEqual(brief(decisions), [
      "00:10 missed",
      "00:20 missed",
      "00:30 missed",
      "00:40 missed",
      "00:50 missed",
      "01:00 caught-up",
    ]);
    assert.equal(decisions[0].reason, "older than the latest missed release (catch-up: latest)");
    assert.deepEqual(ran, ["00:00", "01:00"]);
  });

  it("all: every missed release inside the window runs, oldest first, one after another", async () => {
    const { decisions, ran } = await catchUpRun(
      "catch-up: all\n  catch-up-window: 30m",
      DAY + 65 * MINUTE,
    );
    assert.deepEqual(brief(decisions), [
      "00:10 missed",
      "00:20 missed",
      "00:30 missed",
      "00:40 caught-up",
      "00:50 queued",
      "01:00 queued",
      "00:50 caught-up",
      "01:00 caught-up",
    ]);
    assert.equal(decisions[0].reason, "outside the catch-up window of 1800000 ms (catch-up: all)");
    assert.deepEqual(ran, ["00:00", "00:40", "00:50", "01:00"]);
  });

  it("all: the number of releases caught up is capped", async () => {
    const { decisions, ran } = await catchUpRun("catch-up: all", DAY + 65 * MINUTE, 2);
    assert.deepEqual(brief(decisions).filter((d) => !d.endsWith("queued")), [
      "00:10 missed",
      "00:20 missed",
      "00:30 missed",
      "00:40 missed",
      "00:50 caught-up",
      "01:00 caught-up",
    ]);
    assert.equal(decisions[0].reason, "over the catch-up cap of 2 releases (catch-up: all)");
    assert.deepEqual(ran, ["00:00", "00:50", "01:00"]);
  });
});

describe("Scheduler decisions", () => {
  it("deduplicates a fire time that already has an audit and emits every decision as an event", async () => {
    const { engine, runtime } = await fakeEngine(
      scheduleYaml("", "*/10 * * * *"),
      DAY + 9 * MINUTE,
    );
    const audits = new MemoryAuditStore();
    // Someone released 00:10 by hand before the scheduler got there.
    await audits.write({
      workflow: "slow",
      release: DAY + 10 * MINUTE,
      type: "force",
      runId: "manual-1",
      status: "SUCCESS",
      context: {},
      durationMs: 1,
      createdAt: DAY + 5 * MINUTE,
    });
    const events = new EventTarget();
    const seen: TickDecision[] = [];
    onDecision(events, (d) => seen.push(d));
    const scheduler = new Scheduler(engine, { audits, events });
    const done = scheduler.start({ stop: DAY + 20 * MINUTE });
    await runtime.clock.advance(20 * MINUTE);
    const summary = await done;
    assert.equal(summary.released, 1);
    assert.deepEqual(seen, scheduler.decisions());
    assert.deepEqual(brief(seen), ["00:10 deduplicated", "00:20 fired"]);
    assert.equal(seen[0].reason, "already released (run manual-1, SUCCESS)");
    assert.equal(seen[0].time, DAY + 10 * MINUTE);
    assert.equal(seen[0].schedule, "sched");
  });

  it("keeps only the newest decisions in a bounded ledger", async () => {
    const { engine, runtime } = await fakeEngine(scheduleYaml("overlap: allow", "* * * * *"));
    const scheduler = new Scheduler(engine, { audits: new MemoryAuditStore(), ledgerSize: 10 });
    const done = scheduler.start({ stop: DAY + 59 * MINUTE });
    await runtime.clock.advance(60 * MINUTE);
    const summary = await done;
    assert.equal(summary.decisions.fired, 60);
    const ledger = scheduler.decisions();
    assert.ok(ledger.length >= 10 && ledger.length <= 12, `ledger has ${ledger.length}`);
    assert.equal(iso(ledger[ledger.length - 1].logicalTime), "2026-03-02T00:59:00Z");
  });

  it("refuses an alias scheduled twice", async () => {
    const { engine } = await fakeEngine(
      scheduleYaml("", "* * * * *") +
        `other:\n  type: Schedule\n  workflows:\n    - {name: wf-slow, alias: slow, on: [{cronjob: "0 * * * *"}]}\n`,
    );
    assert.throws(() => new Scheduler(engine, { audits: new MemoryAuditStore() }), {
      name: "ConfigError",
      message:
        /alias 'slow' is scheduled twice \(schedule other and schedule sched\)|alias 'slow' is scheduled twice \(schedule sched and schedule other\)/,
    });
  });
});

describe("Scheduler with the real clock", () => {
  it("fires a seconds schedule once per second until the stop time", async () => {
    const engine = await engineFor(`
wf-tick:
  type: Workflow
  on: [{cronjob: "* * * * * *"}]
  jobs:
    j: {stages: [{name: s, echo: tick}]}
`);
    const audits = new MemoryAuditStore();
    const scheduler = new Scheduler(engine, { audits, workflows: true });
    const start = engine.runtime.clock.now();
    await scheduler.start({ stop: start + 2_200 });
    const times = (await audits.list("wf-tick")).map((r) => r.release).sort((a, b) => a - b);
    assert.ok(times.length >= 2 && times.length <= 3, `released ${times.length} times`);
    for (const [i, t] of times.entries()) {
      assert.equal(t % 1000, 0);
      assert.ok(t > start - 1 && t <= start + 2_200);
      if (i > 0) assert.equal(t - times[i - 1], 1000);
    }
    await engine.close();
  });
});
