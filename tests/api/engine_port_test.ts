/**
 * The API knows an engine only through its `ApiEngine` port: `createApi` serves routes and
 * pages over any object with those members, not just an `Engine`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createApi } from "../../src/api/mod.ts";
import type { ApiEngine } from "../../src/api/engine_port.ts";
import { indexConfig } from "../../src/config/loader.ts";
import { Engine } from "../../src/engine.ts";
import { engineFor } from "../_helpers.ts";
import { API_YAML, postJson } from "./_fixture.ts";

const NEXT_YAML = `
other:
  type: Workflow
  jobs:
    only:
      stages:
        - name: Say
          echo: other
`;

/**
 * A port holding just the members `ApiEngine` names, each forwarding to `engine` and logging
 * its name; its config is its own, swapped by `reloadConfig`.
 */
function forwardingPort(engine: Engine): { port: ApiEngine; calls: string[] } {
  const calls: string[] = [];
  let config = engine.config;
  const port: ApiEngine = {
    runtime: engine.runtime,
    settings: engine.settings,
    get config() {
      return config;
    },
    filters: engine.filters,
    owner: engine.owner,
    events: engine.events,
    traces: engine.traces,
    audits: engine.audits,
    runs: engine.runs,
    workflow: (name) => config.workflow(name),
    newRunId(workflow) {
      calls.push("newRunId");
      return `port-${engine.newRunId(workflow)}`;
    },
    execute(workflow, params, options) {
      calls.push(`execute:${workflow.name}`);
      return engine.execute(workflow, params, options);
    },
    traceBacklog: () => engine.traceBacklog(),
    tracesWritten: (runId) => engine.tracesWritten(runId),
    checkRunId(runId) {
      calls.push("checkRunId");
      return engine.checkRunId(runId);
    },
    checkHost: (workflows) => engine.checkHost(workflows),
    reloadConfig() {
      calls.push("reloadConfig");
      config = indexConfig([{ path: "next.yml", text: NEXT_YAML }]);
      return Promise.resolve({ ok: true, count: config.names().length, issues: [] });
    },
  };
  return { port, calls };
}

describe("the ApiEngine port", () => {
  it("serves runs and pages through a port that is not an Engine", async () => {
    const engine = await engineFor(API_YAML);
    const { port, calls } = forwardingPort(engine);
    assert.ok(!(port instanceof Engine));
    const api = createApi(port, { prefix: "/api/v1", token: "" });
    try {
      const list = await (await api.request("/api/v1/workflows")).json();
      assert.ok(list.workflows.some((w: { name: string }) => w.name === "greet"));

      const response = await postJson(api, "/api/v1/workflows/greet/execute", {
        params: { name: "ann", password: "hunter22" },
      });
      assert.equal(response.status, 200);
      const body = await response.json();
      assert.equal(body.status, "SUCCESS");
      // The run id came from the port, and the port ran the workflow.
      assert.match(body.run_id, /^port-/);
      assert.deepEqual(calls, ["newRunId", "execute:greet"]);
      assert.deepEqual(body.context.params, { name: "ann", count: 1, password: "***" });

      const run = await api.request(`/api/v1/runs/${body.run_id}`);
      assert.equal(run.status, 200);
      assert.equal((await run.json()).status, "SUCCESS");

      const page = await api.request("/ui/workflows/greet");
      assert.equal(page.status, 200);
      assert.match(await page.text(), /greet/);
    } finally {
      await api.close();
      await engine.close();
    }
  });

  it("reads the config through the port each time, so the port's reload is what the API serves", async () => {
    const engine = await engineFor(API_YAML);
    const { port, calls } = forwardingPort(engine);
    const api = createApi(port, { prefix: "/api/v1", token: "" });
    try {
      const reload = await postJson(api, "/api/v1/config/reload", {});
      assert.equal(reload.status, 200);
      assert.deepEqual(await reload.json(), { ok: true, count: 1, issues: [] });
      assert.deepEqual(calls, ["reloadConfig"]);

      const list = await (await api.request("/api/v1/workflows")).json();
      assert.deepEqual(list.workflows.map((w: { name: string }) => w.name), ["other"]);
      const gone = await api.request("/api/v1/workflows/greet");
      assert.equal(gone.status, 404);
    } finally {
      await api.close();
      await engine.close();
    }
  });
});
