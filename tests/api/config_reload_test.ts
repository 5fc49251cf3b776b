import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { postJson } from "./_fixture.ts";
import { createApi } from "../../src/api/mod.ts";
import { Engine } from "../../src/engine.ts";
import { createMemoryRuntime } from "../../src/runtime/memory.ts";
import { engineFor } from "../_helpers.ts";

const FIRST = `
first:
  type: Workflow
  jobs:
    a:
      stages:
        - name: Hi
          echo: hi
`;

const SECOND = `
second:
  type: Workflow
  jobs:
    b:
      stages:
        - name: Yo
          echo: yo
`;

async function setup() {
  const runtime = createMemoryRuntime({ files: { "conf/first.yml": FIRST }, cwd: "/app" });
  const engine = await Engine.create({ runtime, settings: { confPath: "/app/conf" } });
  return { runtime, engine, api: createApi(engine, { prefix: "/api/v1", token: "" }) };
}

describe("POST /config/reload", () => {
  it("reads the config folder again: a workflow added since start is served", async () => {
    const { runtime, api } = await setup();
    assert.equal((await api.request("/api/v1/workflows/second")).status, 404);
    await runtime.fs.writeText("/app/conf/second.yml", SECOND);
    const response = await postJson(api, "/api/v1/config/reload", "");
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true, count: 2, issues: [] });
    assert.equal((await api.request("/api/v1/workflows/second")).status, 200);
  });

  it("keeps the old config and answers 422 with the issues when the new one has errors", async () => {
    const { runtime, api } = await setup();
    await runtime.fs.writeText("/app/conf/first.yml", FIRST.replace("stages:", "stagez:"));
    await runtime.fs.writeText("/app/conf/second.yml", SECOND);
    const response = await postJson(api, "/api/v1/config/reload", {});
    assert.equal(response.status, 422);
    const body = await response.json();
    assert.equal(body.ok, false);
    assert.equal(body.count, 2);
    assert.ok(body.issues.length > 0);
    assert.match(JSON.stringify(body.issues), /first\.yml/);
    assert.match(JSON.stringify(body.issues), /stagez/);
    assert.equal((await api.request("/api/v1/workflows/first")).status, 200);
    assert.equal((await api.request("/api/v1/workflows/second")).status, 404);
  });

  it("answers 409 when the engine was given its config in code", async () => {
    const engine = await engineFor(FIRST);
    const api = createApi(engine, { prefix: "/api/v1", token: "" });
    const response = await postJson(api, "/api/v1/config/reload", {});
    assert.equal(response.status, 409);
    const { error } = await response.json();
    assert.equal(error.name, "ConfigNotReloadable");
    assert.match(error.message, /given its config in code/);
  });

  it("is listed in the OpenAPI document and refuses a body with unknown fields", async () => {
    const { api } = await setup();
    const doc = await (await api.request("/api/v1/openapi.json")).json();
    assert.equal(doc.paths["/api/v1/config/reload"].post.operationId, "reloadConfig");
    const response = await postJson(api, "/api/v1/config/reload", { path: "/etc" });
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error.field, "path");
  });
});
