import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryAuditStore } from "../../src/results/memory_audit_store.ts";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { release } from "../../src/scheduler/release.ts";
import { runCliCaptured } from "../_helpers.ts";
import { DAY, fakeEngine } from "./_helpers.ts";

const YAML = `
wf-asat:
  type: Workflow
  params:
    asat: {type: datetime}
    day: {type: date}
    fixed: {type: datetime, default: "2020-05-05T05:05:00Z"}
  jobs:
    j:
      stages:
        - name: say
          id: say
          echo: "at \${{ params.asat }}"
`;

/** Three days before the fake clock's now, at 02:30 UTC. */
const LOGICAL = DAY - 3 * 86_400_000 + 2.5 * 3_600_000;

describe("release() and datetime params without a value", () => {
  it("gives a datetime param the release's logical date, and a date param its day", async () => {
    const { engine } = await fakeEngine(YAML);
    const report = await release(engine, "wf-asat", LOGICAL, { audits: new MemoryAuditStore() });
    assert.equal(report.status, "SUCCESS");
    const params = report.result!.context.params;
    assert.equal((params.asat as Date).toISOString(), "2026-02-27T02:30:00.000Z");
    assert.equal(params.day, "2026-02-27");
    assert.equal(
      (params.fixed as Date).toISOString(),
      "2020-05-05T05:05:00.000Z",
      "a default wins",
    );
    await engine.close();
  });

  it("keeps a value that is passed, and now for a plain execute", async () => {
    const { engine } = await fakeEngine(YAML);
    const passed = await release(engine, "wf-asat", LOGICAL, {
      audits: new MemoryAuditStore(),
      params: { asat: "2026-01-01T00:00:00Z" },
    });
    assert.equal(
      (passed.result!.context.params.asat as Date).toISOString(),
      "2026-01-01T00:00:00.000Z",
    );
    const plain = await engine.execute("wf-asat");
    assert.equal((plain.context.params.asat as Date).getTime(), DAY);
    await engine.close();
  });

  it("shows the logical date in workflow release --json when -p asat is not given", async () => {
    const real = detectRuntime();
    const dir = `/tmp/wf-release-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await real.fs.writeText(`${dir}/conf/wf.yml`, YAML, { createDirs: true });
    try {
      const out = await runCliCaptured([
        "release",
        "wf-asat",
        "--conf",
        `${dir}/conf`,
        "--date",
        "2026-03-08T07:00:00Z",
        "--json",
      ], real);
      assert.equal(out.code, 0, out.stderr);
      const report = JSON.parse(out.stdout);
      assert.equal(report.result.context.params.asat, "2026-03-08T07:00:00.000Z");
      assert.equal(report.result.context.params.day, "2026-03-08");
    } finally {
      await real.fs.remove(dir);
    }
  });
});
