import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryAuditStore } from "../../src/results/memory_audit_store.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { release } from "../../src/scheduler/release.ts";
import { DAY, fakeEngine, iso } from "./_helpers.ts";

const MINUTE = 60_000;
const YAML = `
wf:
  type: Workflow
  on: [{cronjob: "*/5 * * * *"}]
  jobs:
    j: {stages: [{name: s, sleep: 60}]}
`;

describe("Scheduler release claims", () => {
  // (A one-process twin of tests/recovery/schedulers_process_test.ts, which uses real processes.)
  it("two schedulers on one audit store release every tick once; the loser records who won", async () => {
    const { engine, runtime } = await fakeEngine(YAML);
    const audits = new MemoryAuditStore();
    const a = new Scheduler(engine, { audits, workflows: true, owner: "host:1" });
    const b = new Scheduler(engine, { audits, workflows: true, owner: "host:2" });
    const stop = DAY + 30 * MINUTE;
    const done = Promise.all([a.start({ stop }), b.start({ stop })]);
    await runtime.clock.advance(40 * MINUTE);
    const [sa, sb] = await done;
    const records = await audits.list("wf");
    const ticks = records.map((r) => iso(r.release).slice(11, 16)).sort();
    assert.deepEqual(ticks, ["00:00", "00:05", "00:10", "00:15", "00:20", "00:25", "00:30"]);
    assert.equal(sa.released + sb.released, 7, "each tick ran in one scheduler");
    assert.equal(sa.decisions["skipped-claimed"] + sb.decisions["skipped-claimed"], 7);
    const lost = [...a.decisions(), ...b.decisions()].filter((d) =>
      d.decision === "skipped-claimed"
    );
    for (const decision of lost) {
      const winner = decision.reason.replace("claimed by ", "");
      const mine = a.decisions().includes(decision) ? "host:1" : "host:2";
      assert.notEqual(winner, mine);
      assert.match(decision.reason, /^claimed by host:[12]$/);
    }
  });

  it("a normal release() claimed by someone else is skipped and says by whom; force runs", async () => {
    const { engine } = await fakeEngine(YAML);
    const audits = new MemoryAuditStore();
    await audits.claim("wf", DAY, "host:9");
    const report = await release(engine, "wf", DAY, { audits });
    assert.equal(report.status, "SKIPPED_DUPLICATE");
    assert.equal(report.claimedBy, "host:9");
    assert.match(report.skippedReason ?? "", /is claimed by host:9/);
    assert.deepEqual(await audits.list("wf"), [], "nothing ran, nothing written");
  });
});

describe("Scheduler.adopt()", () => {
  it("counts a recovered release as running, so overlap: skip skips the next tick", async () => {
    const { engine, runtime } = await fakeEngine(YAML);
    const audits = new MemoryAuditStore();
    const scheduler = new Scheduler(engine, { audits, workflows: true });
    let finish!: () => void;
    scheduler.adopt(
      { name: "wf", logicalDate: DAY - 5 * MINUTE },
      new Promise<void>((resolve) => finish = resolve),
    );
    assert.equal(scheduler.running, 1);
    const done = scheduler.start({ stop: DAY + 5 * MINUTE });
    await runtime.clock.advance(MINUTE);
    finish();
    await runtime.clock.advance(10 * MINUTE);
    await done;
    assert.deepEqual(
      scheduler.decisions().map((d) => `${iso(d.logicalTime).slice(11, 16)} ${d.decision}`),
      ["00:00 skipped-overlap", "00:05 fired"],
    );
    assert.equal(scheduler.running, 0);
  });
});
