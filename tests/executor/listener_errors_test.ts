import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { engineFor } from "../_helpers.ts";
import { LifecycleBus, type LifecycleDetail, onLifecycle } from "../../src/executor/events.ts";
import type { Result } from "../../src/executor/workflow_runner.ts";

const WORKFLOW = `
wf:
  type: Workflow
  jobs:
    plain:
      stages:
        - {name: One, id: one, echo: "one"}
        - {name: Two, id: two, echo: "two"}
    matrix:
      strategy:
        max-parallel: 2
        matrix:
          n: [1, 2, 3]
      stages:
        - {name: Show, id: show, echo: "\${{ matrix.n }}"}
        - {name: Fail on 3, id: fail, if: "matrix.n == 3", raise: "three is bad"}
    after:
      needs: [plain]
      stages:
        - {name: After, id: after, echo: "after"}
`;

/** Statuses a user sees: the run's, every job's and every matrix combination's. */
function outcome(result: Result): Record<string, unknown> {
  const jobs = result.context.jobs as Record<
    string,
    { status: string; strategies?: Record<string, { status: string }> }
  >;
  const out: Record<string, unknown> = { run: result.status };
  for (const [id, job] of Object.entries(jobs)) {
    out[id] = job.status;
    for (const [sid, strategy] of Object.entries(job.strategies ?? {})) {
      out[`${id}/${sid}`] = strategy.status;
    }
  }
  return out;
}

async function baseline(): Promise<Record<string, unknown>> {
  const engine = await engineFor(WORKFLOW);
  try {
    return outcome(await engine.execute("wf"));
  } finally {
    await engine.close();
  }
}

describe("lifecycle listeners that throw", () => {
  it("leave every job and matrix combination with the status it has without them", async () => {
    const expected = await baseline();
    assert.equal(expected["matrix"], "FAILED"); // combination n=3 fails on its own
    assert.equal(Object.keys(expected).filter((k) => k.startsWith("matrix/")).length, 3);

    const reported: { error: unknown; detail: LifecycleDetail }[] = [];
    const engine = await engineFor(WORKFLOW, {
      onListenerError: (error, detail) => reported.push({ error, detail }),
    });
    onLifecycle(engine.events, () => {
      throw new Error("listener is broken");
    });
    try {
      assert.deepEqual(outcome(await engine.execute("wf")), expected);
    } finally {
      await engine.close();
    }
    assert.equal(reported.length, 1);
    assert.equal((reported[0].error as Error).message, "listener is broken");
    assert.equal(reported[0].detail.type, "run-start");
  });

  it("keep every combination of a matrix job when one throws on a combination's start", async () => {
    const expected = await baseline();
    const reported: unknown[] = [];
    const engine = await engineFor(WORKFLOW, {
      onListenerError: (error) => reported.push(error),
    });
    let starts = 0;
    onLifecycle(engine.events, (detail) => {
      if (detail.type === "strategy-start" && ++starts === 2) throw new Error("second start");
    });
    try {
      assert.deepEqual(outcome(await engine.execute("wf")), expected);
    } finally {
      await engine.close();
    }
    assert.deepEqual(reported.map((e) => (e as Error).message), ["second start"]);
  });

  it("are isolated when async, added with addEventListener, or on a per-run target", async () => {
    const expected = await baseline();
    const reported: string[] = [];
    const engine = await engineFor(WORKFLOW, {
      onListenerError: (error) => reported.push((error as Error).message),
    });
    onLifecycle(engine.events, async () => {
      await Promise.resolve();
      throw new Error("async listener");
    });
    engine.events.addEventListener("job-end", () => {
      throw new Error("event listener");
    });
    const perRun = new EventTarget();
    onLifecycle(perRun, () => {
      throw new Error("per-run listener");
    });
    try {
      assert.deepEqual(outcome(await engine.execute("wf", {}, { events: perRun })), expected);
      await Promise.resolve(); // let the last rejections settle
    } finally {
      await engine.close();
    }
    assert.deepEqual(reported.sort(), ["async listener", "event listener", "per-run listener"]);
  });

  it("are reported once per listener as an error log line of the run by default", async () => {
    const engine = await engineFor(WORKFLOW);
    onLifecycle(engine.events, (detail) => {
      if (detail.type !== "log") throw new TypeError(`cannot show ${detail.type}`);
    });
    const events: LifecycleDetail[] = []; // what traces, attached to engine.events, see
    onLifecycle(engine.events, (detail) => void events.push(detail));
    let result: Result;
    try {
      result = await engine.execute("wf");
    } finally {
      await engine.close();
    }
    assert.deepEqual(outcome(result), await baseline());
    const lines = events.filter((e) => e.type === "log" && e.message?.includes("listener"));
    assert.equal(lines.length, 1);
    assert.equal(lines[0].level, "error");
    assert.equal(lines[0].runId, result.runId);
    assert.match(
      lines[0].message!,
      /^lifecycle listener failed on a 'run-start' event: TypeError: cannot show run-start; the run is not affected/,
    );
  });

  it("never reach the caller of a bus, even when the hook itself throws", () => {
    const bus = new LifecycleBus([], {
      onListenerError: () => {
        throw new Error("hook is broken too");
      },
    });
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error("first");
    });
    bus.subscribe((detail) => void seen.push(detail.type));
    const detail: LifecycleDetail = { type: "run-start", time: 0, runId: "r", workflow: "wf" };
    bus.publish(detail);
    bus.publish({ ...detail, type: "run-end", status: "SUCCESS" });
    assert.deepEqual(seen, ["run-start", "run-end"]);
  });
});
