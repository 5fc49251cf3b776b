import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { apiFor } from "./_fixture.ts";
import { engineFor } from "../_helpers.ts";
import { createApi } from "../../src/api/mod.ts";
import { createMemoryRuntime } from "../../src/runtime/memory.ts";

describe("API bearer token", () => {
  it("rejects a missing token with 401 and a WWW-Authenticate header", async () => {
    const { api } = await apiFor({ token: "s3cret-token" });
    const response = await api.request("/api/v1/workflows");
    assert.equal(response.status, 401);
    assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
    const body = await response.json();
    assert.equal(body.error.name, "Unauthorized");
    assert.match(body.error.message, /Authorization: Bearer/);
  });

  it("rejects a wrong token with 401", async () => {
    const { api } = await apiFor({ token: "s3cret-token" });
    for (const header of ["Bearer wrong", "Bearer s3cret-token-but-longer", "Basic s3cret-token"]) {
      const response = await api.request("/api/v1/workflows", {
        headers: { authorization: header },
      });
      assert.equal(response.status, 401, header);
    }
  });

  it("accepts the right token, and never asks for one on the health check", async () => {
    const { api } = await apiFor({ token: "s3cret-token" });
    const ok = await api.request("/api/v1/workflows", {
      headers: { authorization: "Bearer s3cret-token" },
    });
    assert.equal(ok.status, 200);
    assert.equal((await api.request("/")).status, 200);
    assert.equal((await api.request("/api/v1/")).status, 200);
    const unknown = await api.request("/api/v1/secret/place");
    assert.equal(unknown.status, 401);
  });

  it("asks every registered route but the health checks for the token, runs nothing and reloads nothing", async () => {
    const { api } = await apiFor({ token: "s3cret-token", enableJobExecute: true });
    const health = new Set(["GET /", "GET /api/v1/", "GET /api/v1"]);
    const routes = api.routes().filter((r) => !health.has(`${r.method} ${r.path}`));
    assert.ok(routes.some((r) => r.path.endsWith("/cancel")), "the cancel route is registered");
    assert.ok(routes.some((r) => r.path === "/metrics"), "the metrics route is registered");
    for (const route of routes) {
      const path = route.path.replace(/:([A-Za-z0-9_]+)/g, "greet");
      const response = await api.request(path, {
        method: route.method,
        headers: { "content-type": "application/json" },
        ...(route.method === "POST" ? { body: "{}" } : {}),
      });
      assert.equal(response.status, 401, `${route.method} ${route.path}`);
    }
    assert.equal(api.runningCount(), 0);
  });

  it("reads the token and the prefix from WORKFLOW_API_TOKEN and WORKFLOW_API_PREFIX_PATH", async () => {
    const runtime = createMemoryRuntime({
      env: { WORKFLOW_API_TOKEN: "from-env", WORKFLOW_API_PREFIX_PATH: "/wf/" },
    });
    const engine = await engineFor(
      "wf:\n  type: Workflow\n  jobs:\n    a:\n      stages:\n        - name: x\n",
      {
        runtime,
      },
    );
    const api = createApi(engine);
    assert.equal(api.prefix, "/wf");
    assert.equal((await api.request("/wf/workflows")).status, 401);
    const ok = await api.request("/wf/workflows", {
      headers: { authorization: "Bearer from-env" },
    });
    assert.equal(ok.status, 200);
  });
});

describe("API OpenAPI document", () => {
  it("documents every route the app registers, and nothing it does not", async () => {
    const { api } = await apiFor({ token: "t0ken" });
    const response = await api.request("/api/v1/openapi.json", {
      headers: { authorization: "Bearer t0ken" },
    });
    assert.equal(response.status, 200);
    const doc = await response.json();
    assert.equal(doc.openapi, "3.1.0");
    const documented = new Set<string>();
    for (
      const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    ) {
      for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const registered = new Set(
      api.routes().map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`),
    );
    assert.ok(registered.size >= 18, `only ${registered.size} routes`);
    assert.deepEqual([...registered].filter((r) => !documented.has(r)), []);
    assert.deepEqual([...documented].filter((r) => !registered.has(r)), []);
    assert.ok(registered.has("POST /api/v1/workflows/{name}/execute"));
  });

  it("describes each path parameter and the bearer scheme", async () => {
    const { api } = await apiFor({ token: "t0ken" });
    const doc = api.openApi() as {
      paths: Record<
        string,
        Record<string, { parameters?: { name: string; in: string; description: string }[] }>
      >;
      components: { securitySchemes: Record<string, unknown> };
    };
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const operation of Object.values(item)) {
        for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
          const param = operation.parameters?.find((p) => p.name === name && p.in === "path");
          assert.ok(param && param.description !== "", `${path} documents {${name}}`);
        }
      }
    }
    assert.deepEqual(doc.components.securitySchemes.bearer, { type: "http", scheme: "bearer" });
  });
});
