import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../../src/cli/run_cli.ts";
import { detectRuntime } from "../../src/runtime/mod.ts";
import type { Runtime } from "../../src/runtime/types.ts";

const CONF = new URL("../../conf", import.meta.url).pathname;

function runtimeWith(env: Record<string, string>): Runtime {
  const base = detectRuntime();
  return {
    ...base,
    cwd: () => base.cwd(),
    env: {
      get: (name) => (Object.hasOwn(env, name) ? env[name] : base.env.get(name)),
      toObject: () => ({ ...base.env.toObject(), ...env }),
    },
  };
}

async function startServe(args: string[], env: Record<string, string>) {
  const controller = new AbortController();
  let out = "";
  let err = "";
  let announced!: (url: string) => void;
  const url = new Promise<string>((resolve) => announced = resolve);
  const exit = runCli(["serve", "--port", "0", "--conf", CONF, ...args], {
    runtime: runtimeWith({
      WORKFLOW_API_TOKEN: "",
      WORKFLOW_LOG_TRACE_ENABLE_WRITE: "false",
      WORKFLOW_LOG_AUDIT_ENABLE_WRITE: "false",
      ...env,
    }),
    stdout: (text) => {
      out += text;
      const match = /listening on (http:\/\/[^/\s]+)/.exec(out);
      if (match) announced(match[1]);
    },
    stderr: (text) => err += text,
    signal: controller.signal,
  });
  const base = await Promise.race([
    url,
    exit.then(() => {
      throw new Error(`exited early: ${err}`);
    }),
  ]);
  return { base, stop: () => controller.abort(), exit, output: () => ({ out, err }) };
}

describe("workflow serve", () => {
  it("binds 127.0.0.1 without a token, says so, and stops cleanly on the signal", async () => {
    const server = await startServe([], {});
    assert.match(server.base, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.output().err, /WORKFLOW_API_TOKEN is not set.*127\.0\.0\.1 only/);
    const listed = await (await fetch(`${server.base}/api/v1/workflows`)).json();
    assert.ok(listed.count >= 1);
    server.stop();
    assert.equal(await server.exit, 0);
    assert.match(server.output().out, /stopped\n$/);
  });

  it("requires the bearer token from WORKFLOW_API_TOKEN", async () => {
    const server = await startServe(["--host", "127.0.0.1"], { WORKFLOW_API_TOKEN: "cli-token" });
    assert.equal(server.output().err, "");
    const denied = await fetch(`${server.base}/api/v1/workflows`);
    assert.equal(denied.status, 401);
    await denied.body?.cancel();
    const ok = await fetch(`${server.base}/api/v1/workflows`, {
      headers: { authorization: "Bearer cli-token" },
    });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    server.stop();
    assert.equal(await server.exit, 0);
  });

  it("serves POST /job/execute only with WORKFLOW_API_ENABLE_JOB_EXECUTE=true, and warns", async () => {
    const job = {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ job: { stages: [{ name: "Say", echo: "hi" }] } }),
    };
    const off = await startServe([], {});
    assert.doesNotMatch(off.output().err, /JOB_EXECUTE/);
    const refused = await fetch(`${off.base}/api/v1/job/execute`, job);
    assert.equal(refused.status, 403);
    assert.match((await refused.json()).error.message, /WORKFLOW_API_ENABLE_JOB_EXECUTE=true/);
    off.stop();
    assert.equal(await off.exit, 0);

    const on = await startServe([], { WORKFLOW_API_ENABLE_JOB_EXECUTE: "true" });
    assert.match(
      on.output().err,
      /warning: WORKFLOW_API_ENABLE_JOB_EXECUTE is on: POST \/api\/v1\/job\/execute runs any job/,
    );
    const ran = await fetch(`${on.base}/api/v1/job/execute`, job);
    assert.equal(ran.status, 200);
    assert.equal((await ran.json()).status, "SUCCESS");
    on.stop();
    assert.equal(await on.exit, 0);
  });

  it("rejects a WORKFLOW_API_ENABLE_JOB_EXECUTE that is not a boolean (exit 2)", async () => {
    let err = "";
    const code = await runCli(["serve", "--port", "0", "--conf", CONF], {
      runtime: runtimeWith({
        WORKFLOW_API_TOKEN: "",
        WORKFLOW_API_ENABLE_JOB_EXECUTE: "maybe",
        WORKFLOW_LOG_TRACE_ENABLE_WRITE: "false",
        WORKFLOW_LOG_AUDIT_ENABLE_WRITE: "false",
      }),
      stdout: () => {},
      stderr: (text) => err += text,
    });
    assert.equal(code, 2);
    assert.match(err, /WORKFLOW_API_ENABLE_JOB_EXECUTE.*'maybe' is not a boolean/);
  });

  it("rejects a bad port as a usage error (exit 2)", async () => {
    let err = "";
    const code = await runCli(["serve", "--port", "http"], {
      runtime: detectRuntime(),
      stdout: () => {},
      stderr: (text) => err += text,
    });
    assert.equal(code, 2);
    assert.match(err, /--port expects an integer from 0 to 65535, got 'http'/);
  });
});
