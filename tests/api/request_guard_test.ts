import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { apiFor, postJson } from "./_fixture.ts";
import { createApi } from "../../src/api/app.ts";
import { engineFor, runtimeWithEnv } from "../_helpers.ts";
import { ConfigError } from "../../src/errors.ts";

async function errorOf(response: Response): Promise<{ name: string; message: string }> {
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  return (await response.json()).error;
}

const JOB = { job: { stages: [{ name: "Say", echo: "hi" }] } };

describe("API request checks", () => {
  it("refuses a POST whose body is not declared application/json with 415, before it runs", async () => {
    const { api } = await apiFor();
    const body = JSON.stringify({ params: { name: "x" } });
    for (
      const type of [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
        undefined,
      ]
    ) {
      const response = await api.request("/api/v1/workflows/greet/execute", {
        method: "POST",
        headers: type === undefined ? {} : { "content-type": type },
        body,
      });
      assert.equal(response.status, 415, String(type));
      const error = await errorOf(response);
      assert.equal(error.name, "UnsupportedMediaType");
      assert.match(error.message, /Content-Type: application\/json/);
    }
    const empty = await api.request("/api/v1/workflows/greet/execute", { method: "POST" });
    assert.equal(empty.status, 415, "a POST without a body needs the type too");
    await empty.body?.cancel();
    assert.deepEqual((await (await api.request("/api/v1/runs")).json()).runs, []);
  });

  it("accepts application/json with parameters and +json types", async () => {
    const { api } = await apiFor();
    for (
      const type of [
        "application/json",
        "Application/JSON; charset=utf-8",
        "application/vnd.api+json",
      ]
    ) {
      const response = await postJson(api, "/api/v1/workflows/greet/execute", {}, {
        "content-type": type,
      });
      assert.equal(response.status, 200, type);
      assert.equal((await response.json()).status, "SUCCESS");
    }
  });

  it("refuses a foreign or null Origin with 403 when there is no token", async () => {
    const { api } = await apiFor();
    for (
      const origin of [
        "http://evil.example",
        "null",
        "http://127.0.0.1.evil.example",
        "http://localhost.evil.example:8000",
        "file:///tmp/x.html",
        "chrome-extension://abc",
      ]
    ) {
      const response = await api.request("/api/v1/workflows", { headers: { origin } });
      assert.equal(response.status, 403, origin);
      const error = await errorOf(response);
      assert.equal(error.name, "ForeignOrigin");
      assert.match(error.message, /WORKFLOW_API_TOKEN/);
    }
    for (
      const origin of [
        "http://localhost:3000",
        "https://127.0.0.1",
        "http://127.1.2.3:9",
        "http://[::1]:8080",
      ]
    ) {
      const response = await api.request("/api/v1/workflows", { headers: { origin } });
      assert.equal(response.status, 200, origin);
      await response.body?.cancel();
    }
  });

  it("refuses a request addressed to a foreign host with 403 when there is no token", async () => {
    const { api } = await apiFor();
    const foreign = await api.fetch(new Request("http://evil.example:8000/api/v1/workflows"));
    assert.equal(foreign.status, 403);
    assert.equal((await errorOf(foreign)).name, "ForeignHost");
    for (const host of ["localhost:8000", "127.0.0.1", "127.9.9.9:1", "[::1]:8000"]) {
      const response = await api.fetch(new Request(`http://${host}/api/v1/workflows`));
      assert.equal(response.status, 200, host);
      await response.body?.cancel();
    }
  });

  it("answers other methods with a JSON 405 and an Allow header", async () => {
    const { api } = await apiFor();
    for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const response = await api.request("/api/v1/workflows", { method });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get("allow"), "GET, HEAD, POST");
      assert.equal((await errorOf(response)).name, "MethodNotAllowed");
    }
  });

  it("with a token, checks the token before anything else and the body type after it", async () => {
    const { api } = await apiFor({ token: "tok" });
    const attacks: RequestInit[] = [
      { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" },
      { method: "POST", headers: { origin: "http://evil.example" }, body: "{}" },
    ];
    for (const init of attacks) {
      const response = await api.request("/api/v1/workflows/greet/execute", init);
      assert.equal(response.status, 401);
      await response.body?.cancel();
    }
    const plain = await api.request("/api/v1/workflows/greet/execute", {
      method: "POST",
      headers: { authorization: "Bearer tok", "content-type": "text/plain" },
      body: "{}",
    });
    assert.equal(plain.status, 415);
    await plain.body?.cancel();
    // A token holder may call from any origin and any host name.
    const ok = await api.fetch(
      new Request("http://workflows.example/api/v1/workflows/greet/execute", {
        method: "POST",
        headers: {
          authorization: "Bearer tok",
          "content-type": "application/json",
          origin: "https://ui.example",
        },
        body: "{}",
      }),
    );
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).status, "SUCCESS");
  });
});

describe("POST /job/execute opt-in", () => {
  it("is off by default: 403 naming how to enable it, and nothing runs", async () => {
    const { api } = await apiFor();
    assert.equal(api.jobExecuteEnabled, false);
    const response = await postJson(api, "/api/v1/job/execute", JOB);
    assert.equal(response.status, 403);
    const error = await errorOf(response);
    assert.equal(error.name, "JobExecuteDisabled");
    assert.match(error.message, /WORKFLOW_API_ENABLE_JOB_EXECUTE=true/);
    assert.match(error.message, /enableJobExecute: true/);
    // Refused before the body is read: a bad body gets the same answer.
    const bad = await postJson(api, "/api/v1/job/execute", "{nope");
    assert.equal(bad.status, 403);
    await bad.body?.cancel();
    assert.deepEqual((await (await api.request("/api/v1/runs")).json()).runs, []);
  });

  it("is on with WORKFLOW_API_ENABLE_JOB_EXECUTE=true or the enableJobExecute option", async () => {
    const byEnv = createApi(
      await engineFor("{}", {
        runtime: runtimeWithEnv({ WORKFLOW_API_ENABLE_JOB_EXECUTE: "true" }),
      }),
      { token: "" },
    );
    const byOption = (await apiFor({ enableJobExecute: true })).api;
    for (const api of [byEnv, byOption]) {
      assert.equal(api.jobExecuteEnabled, true);
      const response = await postJson(api, "/api/v1/job/execute", JOB);
      assert.equal(response.status, 200);
      assert.equal((await response.json()).status, "SUCCESS");
    }
    // The option wins over the environment.
    const off = createApi(
      await engineFor("{}", {
        runtime: runtimeWithEnv({ WORKFLOW_API_ENABLE_JOB_EXECUTE: "true" }),
      }),
      { token: "", enableJobExecute: false },
    );
    assert.equal(off.jobExecuteEnabled, false);
  });

  it("rejects a WORKFLOW_API_ENABLE_JOB_EXECUTE that is not a boolean", async () => {
    const engine = await engineFor("{}", {
      runtime: runtimeWithEnv({ WORKFLOW_API_ENABLE_JOB_EXECUTE: "sure" }),
    });
    assert.throws(
      () => createApi(engine, { token: "" }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /WORKFLOW_API_ENABLE_JOB_EXECUTE.*'sure'/.test(error.message),
    );
  });

  it("is documented in the OpenAPI document with its 403, and every POST with its 415", async () => {
    const { api } = await apiFor();
    const doc = api.openApi() as {
      paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    };
    const job = doc.paths["/api/v1/job/execute"].post;
    assert.match(job.responses["403"].description, /WORKFLOW_API_ENABLE_JOB_EXECUTE=true/);
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (operations.post) assert.ok(operations.post.responses["415"], path);
    }
    const run = doc.paths["/api/v1/runs/{run_id}"].get as unknown as {
      parameters: { name: string; schema: { pattern: string; maxLength: number } }[];
    };
    assert.equal(run.parameters[0].schema.maxLength, 128);
    assert.equal(run.parameters[0].schema.pattern, "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");
  });
});
