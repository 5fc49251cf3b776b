import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { apiFor } from "./_fixture.ts";
import { serve } from "../../src/api/serve.ts";
import { detectRuntime } from "../../src/runtime/mod.ts";

const runtimeName = detectRuntime().name;

describe("API on a real server", () => {
  it(`serves on a loopback port on ${runtimeName}: async execute, SSE to the end, then its trace`, async () => {
    const { api, engine } = await apiFor({ token: "tok" });
    const server = await serve(api, { hostname: "127.0.0.1", port: 0 });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const auth = { authorization: "Bearer tok" };
      const health = await fetch(`${server.url}/`);
      assert.equal((await health.json()).status, "ok");

      const accepted = await fetch(`${server.url}/api/v1/workflows/slow/execute`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ async: true }),
      });
      assert.equal(accepted.status, 202);
      const { run_id: runId } = await accepted.json();
      assert.equal(accepted.headers.get("location"), `/api/v1/runs/${runId}`);

      const stream = await fetch(`${server.url}/api/v1/runs/${runId}/events`, { headers: auth });
      assert.equal(stream.status, 200);
      const text = await stream.text();
      assert.match(text, /event: run-start\n/);
      assert.match(text, /event: end\ndata: \{"run_id":"\d+T\d+","status":"SUCCESS"\}/);

      const status = await (await fetch(`${server.url}/api/v1/runs/${runId}`, { headers: auth }))
        .json();
      assert.equal(status.status, "SUCCESS");
      const traces =
        await (await fetch(`${server.url}/api/v1/runs/${runId}/traces`, { headers: auth })).json();
      assert.ok(
        traces.traces.some((t: { message: string }) =>
          t.message.startsWith("[STAGE]: End 'Nap' SUCCESS")
        ),
      );

      const denied = await fetch(`${server.url}/api/v1/workflows`);
      assert.equal(denied.status, 401);
      await denied.body?.cancel();
    } finally {
      await server.shutdown(1000);
      await engine.close();
    }
    await server.finished;
  });
});
