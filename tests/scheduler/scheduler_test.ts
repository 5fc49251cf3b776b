import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryAuditStore } from "../../src/results/memory_audit_store.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { DAY, every, fakeEngine } from "./_helpers.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;

const DAY_YAML = `
wf-five:
  type: Workflow
  on: [{cronjob: "*/5 * * * *"}]
  jobs:
    j: {stages: [{name: s, echo: "five"}]}
wf-hourly:
  type: Workflow
  params: {asat: {type: datetime}}
  jobs:
    j: {stages: [{name: s, echo: "at \${{ params.asat }}"}]}
day:
  type: Schedule
  catch-up: all
  workflows:
    - name: wf-five
    - name: wf-hourly
      alias: hourly
      on: [{cronjob: "0 * * * *"}]
      params: {asat: "\${{ release.logical_date }}"}
`;

async function audited(audits: MemoryAuditStore, name: string): Promise<number[]> {
  return (await audits.list(name)).map((r) => r.release).sort((a, b) => a - b);
}

describe("Scheduler over a whole day with a fake clock", () => {
  it("releases */5 and hourly exactly 288 + 24 times, each once, at its logical time", async () => {
    const { engine, runtime } = await fakeEngine(DAY_YAML);
    const audits = new MemoryAuditStore();
    const scheduler = new Scheduler(engine, { audits, maxSleepMs: HOUR });
    const done = scheduler.start({ stop: DAY + 24 * HOUR - 1 });
    await runtime.clock.advance(24 * HOUR);
    const summary = await done;
    assert.deepEqual(await audited(audits, "wf-five"), every(DAY, 5 * MINUTE, 288));
    assert.deepEqual(await audited(audits, "hourly"), every(DAY, HOUR, 24));
    assert.equal(summary.released, 312);
    assert.equal(summary.decisions.fired, 312);
    const hourly = await audits.find("hourly", DAY + 5 * HOUR);
    assert.equal(hourly?.status, "SUCCESS");
    assert.equal(
      (hourly?.context.params as Record<string, unknown>).asat,
      "2026-03-02T05:00:00.000Z",
    );
  });

  it("runs nothing twice and misses nothing when restarted mid-day with catch-up all", async () => {
    const { engine, runtime } = await fakeEngine(DAY_YAML);
    const audits = new MemoryAuditStore();
    const first = new Scheduler(engine, { audits, maxSleepMs: HOUR });
    const morning = first.start({ stop: DAY + 10 * HOUR });
    await runtime.clock.advance(10 * HOUR);
    await morning;
    // Down from 10:00 to 12:30, then a new scheduler on the same audit store.
    await runtime.clock.advance(150 * MINUTE);
    const second = new Scheduler(engine, { audits, maxSleepMs: HOUR });
    const evening = second.start({ stop: DAY + 24 * HOUR - 1 });
    await runtime.clock.advance(24 * HOUR);
    await evening;
    assert.deepEqual(await audited(audits, "wf-five"), every(DAY, 5 * MINUTE, 288));
    assert.deepEqual(await audited(audits, "hourly"), every(DAY, HOUR, 24));
    const caughtUp = second.decisions().filter((d) => d.decision === "caught-up");
    assert.deepEqual(
      caughtUp.filter((d) => d.alias === "hourly").map((d) => d.logicalTime),
      [DAY + 11 * HOUR, DAY + 12 * HOUR],
    );
    // 10:05 … 12:25 were missed while down; 12:30 is on time when the second scheduler starts.
    assert.equal(caughtUp.filter((d) => d.alias === "wf-five").length, 29);
  });
});
