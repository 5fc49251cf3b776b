/**
 * Requests that once escaped the API's error paths, sent over a real socket: odd methods,
 * run ids longer than a file name may be, JSON nested thousands of levels deep. Each gets a
 * JSON 4xx naming what is wrong, never a 500, a dropped connection or a server path.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { engineFor } from "../_helpers.ts";
import { createApi } from "../../src/api/app.ts";
import { serve, type Server } from "../../src/api/serve.ts";
import type { Engine } from "../../src/engine.ts";
import { FileTraceStore } from "../../src/results/file_trace_store.ts";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { rawRequest, type RawResponse } from "./_http.ts";

const runtime = detectRuntime();

const YAML = `
greet:
  type: Workflow
  params:
    name:
      type: str
      default: world
  jobs:
    hello:
      stages:
        - name: Greet
          echo: "hello \${{ params.name }}"
`;

function errorOf(response: RawResponse): { name: string; message: string; field?: string } {
  assert.equal(response.closed, false, "the server answered");
  assert.match(response.headers["content-type"] ?? "", /application\/json/, response.body);
  const error = (response.json as { error?: { name: string; message: string } })?.error;
  assert.ok(error, `a JSON error body: ${response.body}`);
  return error;
}

describe(`hostile requests to a real server on ${runtime.name}`, () => {
  let server: Server;
  let engine: Engine;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "wf-hostile-"));
    engine = await engineFor(YAML, {
      traces: new FileTraceStore(runtime.fs, join(dir, "logs")),
      audits: null,
    });
    server = await serve(createApi(engine, { token: "" }), { hostname: "127.0.0.1", port: 0 });
  });
  after(async () => {
    await server.shutdown(1000);
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers CONNECT, TRACE, PUT, DELETE and OPTIONS with a JSON 405 naming the methods", async () => {
    const requests: [string, string][] = [
      ["CONNECT", `127.0.0.1:${server.port}`],
      ["TRACE", "/api/v1/"],
      ["PUT", "/api/v1/workflows/greet"],
      ["DELETE", "/api/v1/runs/x"],
      ["OPTIONS", "/api/v1/workflows"],
    ];
    for (const [method, target] of requests) {
      const response = await rawRequest(server.port, method, target);
      const error = errorOf(response);
      assert.equal(response.status, 405, `${method} ${target}: ${response.body}`);
      assert.equal(error.name, "MethodNotAllowed");
      assert.match(error.message, /GET, HEAD, POST only/);
      assert.equal(response.headers["allow"], "GET, HEAD, POST");
    }
  });

  it("answers an unknown method without a 500 and keeps serving", async () => {
    const response = await rawRequest(server.port, "FOO", "/api/v1/");
    if (runtime.name === "bun") {
      // Bun.serve's parser closes the connection on a method it does not know, before any
      // handler runs (oven-sh/bun#6556); nothing of ours sees the request.
      assert.equal(response.closed, true, `Bun answered: ${response.body}`);
    } else {
      const error = errorOf(response);
      assert.ok([400, 405].includes(response.status), `${response.status} ${response.body}`);
      assert.match(error.name, /MethodNotAllowed|BadRequest/);
    }
    // CONNECT must name host:port; Deno's parser answers the path form with an empty 400.
    const connect = await rawRequest(server.port, "CONNECT", "/api/v1/");
    assert.equal(connect.closed, false);
    assert.ok([400, 405].includes(connect.status), `${connect.status} ${connect.body}`);
    if (connect.body !== "") assert.ok(errorOf(connect).name);
    const health = await rawRequest(server.port, "GET", "/api/v1/");
    assert.equal(health.status, 200);
  });

  it("answers a 5,000-character run id with 400 naming run_id, and no server path", async () => {
    for (const suffix of ["", "/traces", "/events"]) {
      const response = await rawRequest(
        server.port,
        "GET",
        `/api/v1/runs/${"a".repeat(5000)}${suffix}`,
      );
      const error = errorOf(response);
      assert.equal(response.status, 400, `${suffix}: ${response.body}`);
      assert.equal(error.field, "run_id");
      assert.match(error.message, /at most 128 characters/);
      assert.equal(response.body.includes(dir), false, "the trace folder is not named");
    }
    for (const id of ["a%2F..%2F..", "a%20b", "-x", "_x"]) {
      const response = await rawRequest(server.port, "GET", `/api/v1/runs/${id}`);
      assert.equal(response.status, 400, `${id}: ${response.body}`);
      assert.equal(errorOf(response).field, "run_id");
    }
    const unknown = await rawRequest(
      server.port,
      "GET",
      "/api/v1/runs/20240101000000000000T0000000000",
    );
    assert.equal(unknown.status, 404);
  });

  it("refuses params nested 2,500 levels deep with 400 before anything runs", async () => {
    const body = `{"params":{"name":"x","deep":${"[".repeat(2500)}${"]".repeat(2500)}}}`;
    const response = await rawRequest(server.port, "POST", "/api/v1/workflows/greet/execute", {
      headers: { "Content-Type": "application/json" },
      body,
    });
    const error = errorOf(response);
    assert.equal(response.status, 400, response.body);
    assert.equal(error.name, "BodyTooDeep");
    assert.match(error.message, /more than 64 levels/);
    const runs = await rawRequest(server.port, "GET", "/api/v1/runs");
    assert.deepEqual((runs.json as { runs: unknown[] }).runs, []);
  });
});
