import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../../src/cli/run_cli.ts";
import { detectRuntime } from "../../src/runtime/mod.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";

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

  it("prints one line per request (no query string, no header) and one per ended run", async () => {
    const server = await startServe([], {});
    const listed = await fetch(`${server.base}/api/v1/workflows?api_key=hunter2`, {
      headers: { authorization: "Bearer also-secret" },
    });
    assert.equal(listed.status, 200);
    await listed.body?.cancel();
    const missing = await fetch(`${server.base}/api/v1/runs/nope`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const ran = await fetch(`${server.base}/api/v1/workflows/demo-hello/execute`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ params: { name: "ann" } }),
    });
    const result = await ran.json();
    server.stop();
    assert.equal(await server.exit, 0);
    const out = server.output().out;
    assert.match(out, /^\S+Z GET \/api\/v1\/workflows 200 \d+ms$/m);
    assert.match(out, /^\S+Z GET \/api\/v1\/runs\/nope 404 \d+ms$/m);
    assert.match(out, /^\S+Z POST \/api\/v1\/workflows\/demo-hello\/execute 200 \d+ms$/m);
    assert.match(out, new RegExp(`^\\S+Z run ${result.run_id} demo-hello SUCCESS \\d+ms$`, "m"));
    assert.doesNotMatch(out, /hunter2|also-secret|api_key/);
  });

  it("reloads the config when its folder changes with --watch, one line per reload", async () => {
    const dir = (await mkdtemp(`${tmpdir()}/wf-watch-`)).replaceAll("\\", "/");
    const workflow = (name: string, stages = "stages") =>
      `${name}:\n  type: Workflow\n  jobs:\n    a:\n      ${stages}:\n        - name: Hi\n          echo: hi\n`;
    await writeFile(`${dir}/one.yml`, workflow("one"));
    const server = await startServe(["--conf", dir, "--watch"], {});
    try {
      assert.match(server.output().out, /watching .*wf-watch-.* for changes/);
      const reloads = () => server.output().out.match(/^config (?:not )?reloaded.*$/gm) ?? [];
      // The watcher starts asynchronously: write (every second, well over the 200 ms quiet
      // time a reload waits for) until a reload is reported. Nothing here is timed.
      for (let i = 0; reloads().length === 0; i++) {
        if (i === 400) assert.fail(`no reload reported: ${JSON.stringify(server.output())}`);
        if (i % 20 === 0) await writeFile(`${dir}/two.yml`, workflow("two"));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.match(reloads()[0] ?? "", /^config reloaded: 2 template\(s\)$/);
      const shown = await fetch(`${server.base}/api/v1/workflows/two`);
      assert.equal(shown.status, 200);
      await shown.body?.cancel();

      const before = reloads().length;
      await writeFile(`${dir}/two.yml`, workflow("two", "stagez"));
      while (!reloads().slice(before).some((line) => line.startsWith("config not reloaded"))) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.match(
        reloads().slice(before).find((line) => line.startsWith("config not reloaded"))!,
        /^config not reloaded \(the old one stays\): \d+ issue\(s\), first: .*two\.yml.*stagez/,
      );
      const still = await fetch(`${server.base}/api/v1/workflows/two`);
      assert.equal(still.status, 200);
      await still.body?.cancel();
    } finally {
      server.stop();
      assert.equal(await server.exit, 0);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
