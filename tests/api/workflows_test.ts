import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { apiFor, postJson, waitForRun } from "./_fixture.ts";

describe("API workflow routes", () => {
  it("answers the health check at / and at the prefix", async () => {
    const { api } = await apiFor();
    for (const path of ["/", "/api/v1/"]) {
      const response = await api.request(path);
      assert.equal(response.status, 200);
      const body = await response.json();
      assert.equal(body.message, "Workflow already start up with healthy status.");
      assert.equal(body.status, "ok");
    }
  });

  it("lists workflows with their params and schedules", async () => {
    const { api } = await apiFor();
    const body = await (await api.request("/api/v1/workflows")).json();
    assert.deepEqual(body.workflows.map((w: { name: string }) => w.name), [
      "broken",
      "greet",
      "needy",
      "slow",
    ]);
    const greet = body.workflows.find((w: { name: string }) => w.name === "greet");
    assert.deepEqual(greet.params[0], {
      name: "name",
      type: "str",
      required: false,
      default: "world",
    });
    assert.deepEqual(greet.on, [{ cronjob: "0 8 * * *", timezone: "Asia/Bangkok" }]);
  });

  it("shows one workflow with its jobs and source template", async () => {
    const { api } = await apiFor();
    const body = await (await api.request("/api/v1/workflows/greet")).json();
    assert.equal(body.desc, "Says hello");
    assert.equal(body.file, "test.yml");
    assert.deepEqual(body.jobs, [{
      id: "hello",
      needs: [],
      stages: [{ id: "greet", name: "Greet", kind: "empty" }],
    }]);
    assert.equal(body.template.type, "Workflow");
  });

  it("validates one workflow and an inline template", async () => {
    const { api } = await apiFor();
    const one = await (await api.request("/api/v1/workflows/greet/validate")).json();
    assert.deepEqual(one, { name: "greet", ok: true, issues: [] });
    const all = await (await postJson(api, "/api/v1/validate", {})).json();
    assert.equal(all.ok, true);
    const inline = await (await postJson(api, "/api/v1/validate", {
      name: "draft",
      template: {
        type: "Workflow",
        jobs: { a: { needs: ["nope"], stages: [{ name: "x", echo: "hi" }] } },
      },
    })).json();
    assert.equal(inline.ok, false);
    assert.match(JSON.stringify(inline.issues), /nope/);
  });

  it("executes a workflow synchronously and masks secret params in the result", async () => {
    const { api } = await apiFor();
    const response = await postJson(api, "/api/v1/workflows/greet/execute", {
      params: { name: "ann", count: "3", password: "hunter22" },
    });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.status, "SUCCESS");
    assert.match(body.run_id, /^\d{20}T\d{10}$/);
    assert.deepEqual(body.context.params, { name: "ann", count: 3, password: "***" });
    assert.doesNotMatch(JSON.stringify(body), /hunter22/);
  });

  it("answers a failed workflow with 200 and status FAILED", async () => {
    const { api } = await apiFor();
    const response = await postJson(api, "/api/v1/workflows/broken/execute", {});
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.status, "FAILED");
    assert.match(JSON.stringify(body.context), /something went wrong/);
  });

  it("executes asynchronously: 202, a Location, then the run's status and context", async () => {
    const { api } = await apiFor();
    const response = await postJson(api, "/api/v1/workflows/slow/execute", { async: true });
    assert.equal(response.status, 202);
    const accepted = await response.json();
    assert.equal(response.headers.get("location"), `/api/v1/runs/${accepted.run_id}`);
    assert.equal(accepted.status, "WAIT");
    const live = await (await api.request(`/api/v1/runs/${accepted.run_id}`)).json();
    assert.equal(live.status, "WAIT");
    assert.equal(live.context, null);
    const done = await waitForRun(api, accepted.run_id);
    assert.equal(done.status, "SUCCESS");
    assert.deepEqual(done.jobs, { wait: "SUCCESS" });
    assert.equal((done.context as { status: string }).status, "SUCCESS");
    const list = await (await api.request("/api/v1/runs")).json();
    assert.equal(list.runs[0].run_id, accepted.run_id);
  });

  it("executes one job given in the body, as the reference's /job/execute does", async () => {
    const { api } = await apiFor({ enableJobExecute: true });
    const response = await postJson(api, "/api/v1/job/execute", {
      job: { id: "j1", stages: [{ name: "Say", id: "say", echo: "hi ${{ params.who }}" }] },
      params: { who: "bob" },
      run_id: "job-run-1",
    });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.message, "Execute job via RestAPI successful.");
    assert.equal(body.run_id, "job-run-1");
    assert.equal(body.status, "SUCCESS");
    assert.deepEqual(body.params, { who: "bob" });
    assert.deepEqual(Object.keys(body.context.jobs), ["j1"]);
    assert.equal(body.context.jobs.j1.status, "SUCCESS");
  });
});
