import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { apiFor, postJson, waitForRun } from "./_fixture.ts";
import { MemoryTraceStore } from "../../src/results/memory_trace_store.ts";
import { MemoryAuditStore } from "../../src/results/memory_audit_store.ts";
import { attachTraces } from "../../src/results/trace_writer.ts";

/** Reads a whole SSE body into `{event, id, data}` messages. */
async function readEvents(
  response: Response,
): Promise<{ event: string; id?: string; data: Record<string, unknown> }[]> {
  const text = await response.text();
  return text.split("\n\n").filter((block) => block.includes("data:")).map((block) => {
    const fields: Record<string, string> = {};
    for (const line of block.split("\n")) {
      const at = line.indexOf(": ");
      if (at > 0) fields[line.slice(0, at)] = line.slice(at + 2);
    }
    return { event: fields.event, id: fields.id, data: JSON.parse(fields.data) };
  });
}

describe("API runs, traces and events", () => {
  it("streams a running workflow's events over SSE, replaying what already happened", async () => {
    const { api } = await apiFor();
    const accepted = await (await postJson(api, "/api/v1/workflows/slow/execute", { async: true }))
      .json();
    const response = await api.request(`/api/v1/runs/${accepted.run_id}/events`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
    const messages = await readEvents(response);
    const types = messages.map((m) => m.event);
    assert.equal(types[0], "run-start");
    assert.ok(types.includes("stage-end"));
    assert.deepEqual(types.slice(-2), ["run-end", "end"]);
    assert.deepEqual(messages.at(-1)!.data, { run_id: accepted.run_id, status: "SUCCESS" });
    assert.equal(messages[0].data.run_id, accepted.run_id);
    assert.deepEqual(
      messages.slice(0, -1).map((m) => Number(m.id)),
      messages.slice(0, -1).map((_, i) => i),
    );
  });

  it("replays a finished run's events, resuming after Last-Event-ID", async () => {
    const { api } = await apiFor();
    const result = await (await postJson(api, "/api/v1/workflows/greet/execute", {})).json();
    const all = await readEvents(await api.request(`/api/v1/runs/${result.run_id}/events`));
    const rest = await readEvents(
      await api.request(`/api/v1/runs/${result.run_id}/events`, {
        headers: { "last-event-id": "1" },
      }),
    );
    assert.equal(rest.length, all.length - 2);
    assert.equal(rest[0].id, "2");
  });

  it("answers a run's traces from memory, and from the trace store for runs it did not start", async () => {
    const traces = new MemoryTraceStore();
    const { api, engine } = await apiFor({ traces });
    const attachment = attachTraces(engine.events, traces);
    const accepted = await (await postJson(api, "/api/v1/workflows/greet/execute", { async: true }))
      .json();
    await waitForRun(api, accepted.run_id);
    const body = await (await api.request(`/api/v1/runs/${accepted.run_id}/traces`)).json();
    assert.equal(body.traces[0].message, "[WORKFLOW]: Start 'greet'");
    assert.match(body.traces.at(-1).message, /^\[WORKFLOW\]: End 'greet' SUCCESS/);

    const direct = await engine.execute("broken", {});
    await attachment.flush();
    const stored = await (await api.request(`/api/v1/runs/${direct.runId}/traces`)).json();
    assert.ok(stored.traces.some((t: { level: string }) => t.level === "error"));
    const status = await (await api.request(`/api/v1/runs/${direct.runId}`)).json();
    assert.equal(status.status, "FAILED");
    assert.equal(status.source, "traces");
    const list = await (await api.request("/api/v1/runs?limit=10")).json();
    assert.deepEqual(
      new Set(list.runs.map((r: { run_id: string }) => r.run_id)),
      new Set([accepted.run_id, direct.runId]),
    );
    await attachment.detach();
  });

  it("answers an unknown run with 404", async () => {
    const { api } = await apiFor();
    for (const suffix of ["", "/traces", "/events"]) {
      const response = await api.request(`/api/v1/runs/nope${suffix}`);
      assert.equal(response.status, 404);
    }
  });

  it("lets running workflows finish on close, then refuses new runs with 503", async () => {
    const { api } = await apiFor();
    const accepted = await (await postJson(api, "/api/v1/workflows/slow/execute", { async: true }))
      .json();
    assert.equal(api.runningCount(), 1);
    await api.close({ graceMs: 5000 });
    assert.equal(api.runningCount(), 0);
    const done = await (await api.request(`/api/v1/runs/${accepted.run_id}`)).json();
    assert.equal(done.status, "SUCCESS");
    const refused = await postJson(api, "/api/v1/workflows/greet/execute", {});
    assert.equal(refused.status, 503);
  });

  it("cancels running workflows once the grace period is over", async () => {
    const { api } = await apiFor();
    const accepted = await (await postJson(api, "/api/v1/workflows/slow/execute", { async: true }))
      .json();
    await api.close({ graceMs: 0 });
    const done = await (await api.request(`/api/v1/runs/${accepted.run_id}`)).json();
    assert.equal(done.status, "CANCEL");
  });
});

describe("API audits and schedules", () => {
  it("lists audits of all workflows, of one, and finds one release", async () => {
    const audits = new MemoryAuditStore();
    const { api } = await apiFor({ audits });
    await postJson(api, "/api/v1/workflows/greet/release", { date: "2024-01-01T08:00:00Z" });
    await postJson(api, "/api/v1/workflows/slow/release", { date: "2024-01-02T08:00:00Z" });
    const all = await (await api.request("/api/v1/audits")).json();
    assert.deepEqual(all.audits.map((a: { workflow: string }) => a.workflow), ["slow", "greet"]);
    const one = await (await api.request("/api/v1/audits/greet")).json();
    assert.equal(one.audits.length, 1);
    assert.equal(one.audits[0].release_key, "20240101080000");
    const found = await (await api.request("/api/v1/audits/greet/20240101080000")).json();
    assert.equal(found.audit.status, "SUCCESS");
    assert.equal(found.audit.release, "2024-01-01T08:00:00.000Z");
    assert.equal((await api.request("/api/v1/audits/greet/20250101080000")).status, 404);
  });

  it("answers audit routes with 501 when no audit store is configured", async () => {
    const { api } = await apiFor();
    const response = await api.request("/api/v1/audits");
    assert.equal(response.status, 501);
    assert.match((await response.json()).error.message, /WORKFLOW_LOG_AUDIT_URL/);
  });

  it("lists schedules and previews next fire times in their zone", async () => {
    const { api } = await apiFor();
    const list = await (await api.request("/api/v1/schedules")).json();
    assert.equal(list.schedules[0].name, "nightly");
    assert.deepEqual(list.workflows, [{
      name: "greet",
      on: [{ cronjob: "0 8 * * *", timezone: "Asia/Bangkok" }],
    }]);
    const next =
      await (await api.request("/api/v1/schedules/greet/next?n=2&from=2024-01-01T00:00:00Z"))
        .json();
    assert.deepEqual(next.next.map((n: { time: string; local: string }) => [n.time, n.local]), [
      ["2024-01-01T01:00:00.000Z", "2024-01-01 08:00:00 +07:00"],
      ["2024-01-02T01:00:00.000Z", "2024-01-02 08:00:00 +07:00"],
    ]);
    const nightly =
      await (await api.request("/api/v1/schedules/nightly/next?n=1&from=2024-01-01T00:00:00Z"))
        .json();
    assert.equal(nightly.next[0].alias, "greet-night");
    assert.equal(nightly.next[0].time, "2024-01-01T23:30:00.000Z");
    assert.equal((await api.request("/api/v1/schedules/nope/next")).status, 404);
  });

  it("shows the scheduler's decisions when one runs in-process", async () => {
    const none = (await apiFor()).api;
    assert.deepEqual(await (await none.request("/api/v1/schedules/decisions")).json(), {
      running: false,
      decisions: [],
    });
    const decision = {
      time: Date.parse("2024-01-01T08:00:05Z"),
      alias: "greet",
      workflow: "greet",
      logicalTime: Date.parse("2024-01-01T08:00:00Z"),
      decision: "fired" as const,
      reason: "due",
    };
    const { api } = await apiFor({ scheduler: { decisions: () => [decision] } });
    const body = await (await api.request("/api/v1/schedules/decisions")).json();
    assert.deepEqual(body, {
      running: true,
      decisions: [{
        time: "2024-01-01T08:00:05.000Z",
        alias: "greet",
        workflow: "greet",
        schedule: null,
        logical_time: "2024-01-01T08:00:00.000Z",
        decision: "fired",
        reason: "due",
      }],
    });
  });
});
