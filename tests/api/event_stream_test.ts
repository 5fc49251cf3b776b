import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { driveClock, fakeClockEngine } from "../_helpers.ts";
import { createApi } from "../../src/api/mod.ts";
import { postJson } from "./_fixture.ts";

const YAML = `
long:
  type: Workflow
  params:
    password:
      type: secret
  jobs:
    wait:
      stages:
        - name: Nap
          id: nap
          sleep: 40
        - name: Tell
          id: tell
          echo: "the password is \${{ params.password }}"
`;

/** An API over {@linkcode YAML} on a fake clock, with one async run of `long` started. */
async function startLongRun() {
  const { engine, runtime } = await fakeClockEngine(YAML);
  const api = createApi(engine, { prefix: "/api/v1", token: "" });
  const accepted = await postJson(api, "/api/v1/workflows/long/execute", {
    async: true,
    params: { password: "hunter2-s3cret" },
  });
  assert.equal(accepted.status, 202);
  const { run_id: runId } = await accepted.json();
  return { api, engine, clock: runtime.clock, runId };
}

describe("API event stream", () => {
  it("sends keep-alive comments while a run is quiet, masks secrets and ends with the run", async () => {
    const { api, engine, clock, runId } = await startLongRun();
    const response = await api.request(`/api/v1/runs/${runId}/events`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    assert.equal(response.headers.get("cache-control"), "no-cache");
    assert.equal(response.headers.get("x-accel-buffering"), "no");
    const text = await driveClock(clock, response.text(), 1000);
    // 40 s of sleep: a comment at 15 s and at 30 s, none once the run has ended.
    assert.equal(text.match(/^: keep-alive$/gm)?.length, 2, text);
    assert.ok(text.indexOf(": keep-alive") > text.indexOf("event: stage-start"));
    assert.ok(!text.includes("hunter2-s3cret"), "the secret never reaches the stream");
    assert.match(text, /the password is \*\*\*/);
    assert.match(
      text,
      new RegExp(`event: end\ndata: \\{"run_id":"${runId}","status":"SUCCESS"\\}\n\n$`),
    );
    assert.equal(clock.pendingTimers, 0, "no keep-alive timer outlives the stream");
    await engine.close();
  });

  it("stops writing and drops its timer when the client goes, while the run goes on", async () => {
    const { api, engine, clock, runId } = await startLongRun();
    const response = await api.request(`/api/v1/runs/${runId}/events`);
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /^event: run-start\n/);
    await clock.advance(0);
    assert.equal(clock.pendingTimers, 2, "the stage's sleep and the stream's keep-alive");
    await reader.cancel();
    await clock.advance(0);
    assert.equal(clock.pendingTimers, 1, "only the stage's sleep is left");
    await driveClock(clock, waitForEnd(api, runId), 1000);
    const status = await (await api.request(`/api/v1/runs/${runId}`)).json();
    assert.equal(status.status, "SUCCESS");
    await engine.close();
  });

  it("resumes after Last-Event-ID while the run is still going", async () => {
    const { api, engine, clock, runId } = await startLongRun();
    await clock.advance(0);
    const response = await api.request(`/api/v1/runs/${runId}/events`, {
      headers: { "last-event-id": "0" },
    });
    const text = await driveClock(clock, response.text(), 1000);
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.equal(ids[0], 1, "run-start (id 0) is not sent again");
    assert.deepEqual(ids, ids.map((_, i) => i + 1), "every later event once, in order");
    assert.ok(!/event: run-start\n/.test(text));
    await engine.close();
  });
});

/** Resolves once the run's status is no longer running. */
async function waitForEnd(
  api: ReturnType<typeof createApi>,
  runId: string,
): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const status = await (await api.request(`/api/v1/runs/${runId}`)).json();
    if (status.status !== "WAIT") return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`run ${runId} did not end`);
}
