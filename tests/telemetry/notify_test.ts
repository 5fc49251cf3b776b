import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { engineFor, runtimeWithEnv } from "../_helpers.ts";
import { MemoryTraceStore } from "../../src/results/memory_trace_store.ts";
import { resultToJson } from "../../src/results/result.ts";
import { Registry } from "../../src/stages/registry.ts";
import { inMemoryTracing } from "./_otel.ts";

interface Received {
  readonly path: string;
  readonly contentType: string;
  readonly body: Record<string, unknown>;
}

/** A loopback server that answers `status` and records what it was sent. */
async function hookServer(status = 200): Promise<{
  base: string;
  received: Received[];
  close: () => Promise<void>;
}> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk) => (text += chunk));
    request.on("end", () => {
      received.push({
        path: request.url ?? "",
        contentType: String(request.headers["content-type"]),
        body: JSON.parse(text),
      });
      response.writeHead(status, { "content-type": "text/plain" });
      // A server that echoes the URL it was called on, as some do in their errors.
      const called = `http://${request.headers.host}${request.url}`;
      response.end(status === 200 ? "ok" : `no such hook: ${called}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const YAML = `
nightly:
  type: Workflow
  params:
    webhook: secret
  jobs:
    load:
      stages:
        - name: load
          id: load
          bash: echo the table is locked >&2; exit 1
    report:
      stages:
        - name: report
          id: report
          echo: fine
    notify:
      needs: [load, report]
      trigger-rule: one_failed
      stages:
        - name: tell slack
          id: tell
          uses: notify/webhook@v1
          with:
            url: \${{ params.webhook }}
            retry: 0
nightly-env:
  type: Workflow
  jobs:
    load:
      stages:
        - name: load
          id: load
          raise: disk full
    notify:
      needs: [load]
      trigger-rule: one_failed
      stages:
        - name: tell slack
          id: tell
          uses: notify/webhook@v1
          with:
            url: \${NIGHTLY_HOOK}
            text: "nightly: load \${{ jobs.load.status }}"
            retry: 0
        - name: after
          echo: sent to \${NIGHTLY_HOOK}
`;

describe("notify/webhook@v1", () => {
  let tracing: ReturnType<typeof inMemoryTracing>;
  before(() => {
    tracing = inMemoryTracing();
  });
  after(() => tracing.stop());

  it("posts the run summary after a failed job, from a one_failed job, without a registry caller", async () => {
    const server = await hookServer();
    const url = `${server.base}/services/T000/B000/s3cr3t-path`;
    const engine = await engineFor(YAML, { audits: null, traces: null });
    const result = await engine.execute("nightly", { webhook: url });
    await engine.close();
    await server.close();
    assert.equal(result.status, "FAILED");
    const jobs = result.context.jobs as Record<string, { status: string }>;
    assert.equal(jobs.notify.status, "SUCCESS");
    assert.equal(server.received.length, 1);
    const [hit] = server.received;
    assert.equal(hit.path, "/services/T000/B000/s3cr3t-path");
    assert.equal(hit.contentType, "application/json");
    assert.equal(hit.body.workflow, "nightly");
    assert.equal(hit.body.run_id, result.runId);
    assert.equal(hit.body.status, "FAILED");
    assert.deepEqual(hit.body.failed_jobs, ["load"]);
    assert.deepEqual(hit.body.jobs, {
      load: {
        status: "FAILED",
        error: "StageError: stage 'load' failed: bash exited with code 1: the table is locked",
      },
      report: { status: "SUCCESS" },
    });
    assert.match(String(hit.body.text), /^Workflow 'nightly' run \S+ FAILED: job 'load' failed/);
  });

  it("masks a URL from an ordinary env var in traces, results and spans", async () => {
    tracing.reset();
    const server = await hookServer();
    const url = `${server.base}/hooks/envs3cr3t`;
    const traces = new MemoryTraceStore();
    const engine = await engineFor(YAML, {
      audits: null,
      traces,
      runtime: runtimeWithEnv({ NIGHTLY_HOOK: url }),
    });
    const result = await engine.execute("nightly-env");
    await engine.close();
    await server.close();
    assert.equal(server.received.length, 1);
    assert.equal(server.received[0].body.text, "nightly: load FAILED");
    const shown = JSON.stringify([
      resultToJson(result),
      await traces.getTrace(result.runId),
      tracing.spans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
    ]);
    assert.ok(shown.includes("sent to ***"), "the echo line is in the traces, masked");
    assert.ok(shown.includes("stage tell slack"), "the spans were exported");
    assert.ok(!shown.includes("envs3cr3t"), shown);
  });

  it("fails with the HTTP status, not the URL, when the webhook refuses", async () => {
    const server = await hookServer(404);
    const url = `${server.base}/hooks/gone-s3cr3t`;
    const traces = new MemoryTraceStore();
    const engine = await engineFor(YAML, { audits: null, traces });
    const result = await engine.execute("nightly", { webhook: url });
    await engine.close();
    await server.close();
    const jobs = result.context.jobs as Record<
      string,
      { status: string; stages: Record<string, { errors?: { message: string } }> }
    >;
    assert.equal(jobs.notify.status, "FAILED");
    assert.equal(
      jobs.notify.stages.tell.errors?.message,
      "the webhook answered HTTP 404: no such hook: ***",
    );
    const shown = JSON.stringify([resultToJson(result), await traces.getTrace(result.runId)]);
    assert.ok(shown.includes("HTTP 404"));
    assert.ok(!shown.includes("gone-s3cr3t"));
  });

  it("is resolvable from a plain registry and listed with the built-ins", async () => {
    const registry = new Registry();
    assert.equal((await registry.resolve("notify/webhook@v1")).ref, "notify/webhook@v1");
    assert.deepEqual(new Registry({ builtins: false }).list(), []);
  });
});
