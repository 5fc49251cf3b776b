import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { apiFor, postJson } from "./_fixture.ts";
import { MemoryAuditStore } from "../../src/results/memory_audit_store.ts";

async function errorOf(
  response: Response,
): Promise<{ name: string; message: string; field?: string }> {
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  const body = await response.json();
  assert.doesNotMatch(JSON.stringify(body), /\n\s+at /, "no stack trace");
  return body.error;
}

describe("API bad input", () => {
  it("answers invalid JSON with 400 InvalidJson and runs nothing", async () => {
    const { api } = await apiFor();
    const response = await postJson(api, "/api/v1/workflows/greet/execute", "{not json");
    assert.equal(response.status, 400);
    assert.equal((await errorOf(response)).name, "InvalidJson");
    assert.equal((await (await api.request("/api/v1/runs")).json()).runs.length, 0);
  });

  it("answers a wrong body shape with 400 naming the field", async () => {
    const { api } = await apiFor();
    let error = await errorOf(
      await postJson(api, "/api/v1/workflows/greet/execute", { async: "yes" }),
    );
    assert.equal(error.field, "async");
    assert.match(error.message, /field 'async' must be a boolean, got string/);
    error = await errorOf(await postJson(api, "/api/v1/workflows/greet/execute", { parmas: {} }));
    assert.equal(error.field, "parmas");
    assert.match(error.message, /not a known field/);
    const response = await postJson(api, "/api/v1/workflows/greet/execute", [1, 2]);
    assert.equal(response.status, 400);
    assert.match((await errorOf(response)).message, /request body must be an object, got array/);
  });

  it("answers an unknown workflow with 404", async () => {
    const { api } = await apiFor();
    for (
      const [method, path] of [["GET", "/api/v1/workflows/nope"], [
        "POST",
        "/api/v1/workflows/nope/execute",
      ]]
    ) {
      const response = await api.request(path, {
        method,
        headers: method === "POST" ? { "content-type": "application/json" } : {},
      });
      assert.equal(response.status, 404);
      const error = await errorOf(response);
      assert.equal(error.name, "NotFound");
      assert.match(error.message, /nope/);
    }
  });

  it("answers a param that fails coercion with 400 naming the param, before running", async () => {
    const { api } = await apiFor();
    const response = await postJson(api, "/api/v1/workflows/greet/execute", {
      params: { count: "many" },
    });
    assert.equal(response.status, 400);
    const error = await errorOf(response);
    assert.equal(error.name, "ParamError");
    assert.equal(error.field, "params.count");
    assert.match(error.message, /count/);
    const missing = await postJson(api, "/api/v1/workflows/needy/execute", { async: true });
    assert.equal(missing.status, 400);
    assert.equal((await errorOf(missing)).field, "params.day");
    assert.equal((await (await api.request("/api/v1/runs")).json()).runs.length, 0);
  });

  it("answers a release that already ran with 409 and a forced one with 200", async () => {
    const audits = new MemoryAuditStore();
    const { api } = await apiFor({ audits });
    const first = await postJson(api, "/api/v1/workflows/greet/release", {
      date: "2024-01-01T08:00:00Z",
    });
    assert.equal(first.status, 200);
    assert.equal((await first.json()).result.status, "SUCCESS");
    const again = await postJson(api, "/api/v1/workflows/greet/release", {
      date: "20240101080000",
    });
    assert.equal(again.status, 409);
    assert.equal((await errorOf(again)).name, "ReleaseExists");
    const forced = await postJson(api, "/api/v1/workflows/greet/release", {
      date: "2024-01-01T08:00:00Z",
      type: "force",
    });
    assert.equal(forced.status, 200);
    const bad = await postJson(api, "/api/v1/workflows/greet/release", { date: "tomorrow" });
    assert.equal(bad.status, 400);
    assert.equal((await errorOf(bad)).field, "date");
  });

  it("answers an oversize body with 413", async () => {
    const { api } = await apiFor({ maxBodyBytes: 64 });
    const response = await postJson(api, "/api/v1/workflows/greet/execute", {
      params: { name: "x".repeat(200) },
    });
    assert.equal(response.status, 413);
    assert.equal((await errorOf(response)).name, "PayloadTooLarge");
  });

  it("answers a chunked body without Content-Length that grows past the limit with 413", async () => {
    const { api } = await apiFor({ maxBodyBytes: 64 });
    const chunk = new TextEncoder().encode(`{"params": {"name": "${"x".repeat(40)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Never ends by itself: the server must stop reading once it is over the limit.
        sent++;
        controller.enqueue(chunk);
        if (sent > 1000) controller.close();
      },
    });
    const response = await api.request("/api/v1/workflows/greet/execute", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    assert.equal(response.status, 413);
    const error = await errorOf(response);
    assert.equal(error.name, "PayloadTooLarge");
    assert.equal(error.message, "request body is larger than 64 bytes");
    assert.ok(sent < 10, `read ${sent} chunks of a body already too large`);
    assert.equal((await (await api.request("/api/v1/runs")).json()).runs.length, 0);
  });

  it("refuses a switched-off route with 403 before looking at the size of its body", async () => {
    const { api } = await apiFor({ maxBodyBytes: 64 });
    const response = await postJson(api, "/api/v1/job/execute", { pad: "x".repeat(200) });
    assert.equal(response.status, 403);
    assert.equal((await errorOf(response)).name, "JobExecuteDisabled");
  });

  it("reads a chunked body under the limit as usual", async () => {
    const { api } = await apiFor();
    const text = JSON.stringify({ params: { name: "chunked" } });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(text);
        controller.enqueue(bytes.subarray(0, 10));
        controller.enqueue(bytes.subarray(10));
        controller.close();
      },
    });
    const response = await api.request("/api/v1/workflows/greet/execute", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    assert.equal(response.status, 200);
    const result = await response.json();
    assert.equal(result.status, "SUCCESS");
    assert.equal(result.context.params.name, "chunked");
  });

  it("answers a body that is not UTF-8 with 400 InvalidJson", async () => {
    const { api } = await apiFor();
    const response = await api.request("/api/v1/workflows/greet/execute", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    });
    assert.equal(response.status, 400);
    const error = await errorOf(response);
    assert.equal(error.name, "InvalidJson");
    assert.match(error.message, /not valid UTF-8/);
  });

  it("answers an unknown route with a 404 JSON error", async () => {
    const { api } = await apiFor();
    const response = await api.request("/api/v1/nothing/here");
    assert.equal(response.status, 404);
    assert.match((await errorOf(response)).message, /no route for GET \/api\/v1\/nothing\/here/);
  });

  it("answers bad query values with 400 naming the parameter", async () => {
    const { api } = await apiFor();
    const response = await api.request("/api/v1/schedules/greet/next?n=abc");
    assert.equal(response.status, 400);
    assert.equal((await errorOf(response)).field, "n");
  });

  it("turns an unexpected failure into 500 {error: {name, message}} without a stack", async () => {
    const { api } = await apiFor({
      traces: {
        listRuns: () => Promise.reject(new TypeError("disk on fire")),
      } as never,
    });
    const response = await api.request("/api/v1/runs");
    assert.equal(response.status, 500);
    assert.deepEqual(await errorOf(response), { name: "TypeError", message: "disk on fire" });
  });
});
