import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { createJsRunner } from "../../src/worker/pool.ts";
import { engineFor } from "../_helpers.ts";

const SECRET = "s3cr3t-of-run-two-7f1c";

/**
 * A hostile stage body: every way it knows to watch a worker, each writing what it sees to
 * the file `sink`. `${…}` is avoided because run code is rendered as a template first.
 */
const TAMPER = `
const fs = await import("node:fs");
const g = globalThis;
const stringify = JSON.stringify;
const record = (how, data) => {
  let text;
  try { text = stringify(data); } catch { text = String(data); }
  fs.appendFileSync(sink, how + " " + text + "\\n");
};
const onmessage = g.onmessage;
g.onmessage = function (event) {
  record("onmessage", event.data);
  return onmessage.call(this, event);
};
const post = g.postMessage;
g.postMessage = function (...args) {
  record("postMessage", args[0]);
  return post.apply(this, args);
};
if (typeof g.addEventListener === "function") {
  g.addEventListener("message", (event) => record("addEventListener", event.data));
}
try {
  const threads = await import("node:worker_threads");
  threads.parentPort?.on("message", (data) => record("parentPort", data));
} catch { /* not on this runtime */ }
const map = Array.prototype.map;
Array.prototype.map = function (...args) {
  const out = map.apply(this, args);
  record("Array.prototype.map", out);
  return out;
};
const keys = Object.keys;
Object.keys = function (value) {
  record("Object.keys", value);
  return keys(value);
};
JSON.stringify = function (...args) {
  record("JSON.stringify", args[0]);
  return stringify.apply(this, args);
};
Object.defineProperty(Object.prototype, "toJSON", {
  configurable: true,
  writable: true,
  value: undefined,
});
g.seen = [];
const interval = setInterval(() => {
  if (g.seen.length) record("setInterval", g.seen);
}, 1);
const unref = interval && interval.unref;
if (typeof unref === "function") unref.call(interval);
return { tampered: true };
`;

const YAML = `
tamper:
  type: Workflow
  params:
    sink: str
  jobs:
    j:
      stages:
        - name: Tamper
          id: tamper
          vars:
            sink: "\${{ params.sink }}"
          run: |
${TAMPER.split("\n").map((line) => `            ${line}`).join("\n")}
victim:
  type: Workflow
  params:
    token: secret
  jobs:
    j:
      stages:
        - name: Use the secret
          id: use
          vars:
            token: "\${{ params.token }}"
          run: |
            console.log("working on", token);
            return { length: token.length };
`;

describe("JavaScript workers: one run cannot see another's data", () => {
  it("a stage that patches its worker's globals never sees a later run's secret vars", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wf-isolation-"));
    const sink = join(dir, "captured.txt");
    const engine = await engineFor(YAML);
    try {
      const first = await engine.execute("tamper", { sink });
      assert.equal(first.status, "SUCCESS", JSON.stringify(first.context));
      const second = await engine.execute("victim", { token: SECRET });
      assert.equal(second.status, "SUCCESS", JSON.stringify(second.context));
      const jobs = second.context.jobs as Record<string, { stages: Record<string, unknown> }>;
      assert.deepEqual(
        (jobs.j.stages.use as { outputs: unknown }).outputs,
        { length: SECRET.length },
      );
      const captured = existsSync(sink) ? readFileSync(sink, "utf8") : "";
      assert.ok(!captured.includes(SECRET), `the first run captured the secret:\n${captured}`);
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs of one engine at once never see each other's globals", async () => {
    const engine = await engineFor(`
      wf:
        type: Workflow
        params:
          name: str
        jobs:
          j:
            stages:
              - name: Set
                vars:
                  name: "\${{ params.name }}"
                run: "globalThis.owner ??= name; await new Promise((r) => setTimeout(r, 20));"
              - name: Get
                id: get
                run: "return { owner: globalThis.owner ?? null };"
    `);
    try {
      const results = await Promise.all(
        ["a", "b", "c", "d"].map((name) => engine.execute("wf", { name })),
      );
      const owners = results.map((result) => {
        const jobs = result.context.jobs as Record<string, { stages: Record<string, unknown> }>;
        return (jobs.j.stages.get as { outputs: { owner: string | null } }).outputs.owner;
      });
      // A run's later stage may get a fresh worker (a full pool hands idle workers over by
      // ending them), so it sees its own value or none, never another run's.
      const expected = ["a", "b", "c", "d"];
      owners.forEach((owner, i) => assert.ok(owner === null || owner === expected[i], owner!));
    } finally {
      await engine.close();
    }
  });
});

describe("createJsRunner(): sessions", () => {
  it("run() outside a session never reuses a worker another job has touched", async () => {
    const runner = createJsRunner(detectRuntime(), { size: 1 });
    try {
      await runner.run({ code: "globalThis.left = 'behind';", vars: {}, context: {} });
      const outputs = await runner.run({
        code: "return { left: typeof globalThis.left };",
        vars: {},
        context: {},
      });
      assert.deepEqual(outputs, { left: "undefined" });
    } finally {
      await runner.close();
    }
  });

  it("jobs of one session share a worker; another session does not see it", async () => {
    const runner = createJsRunner(detectRuntime(), { size: 1 });
    const mine = runner.session();
    const theirs = runner.session();
    try {
      await mine.run({ code: "globalThis.mark = 'mine';", vars: {}, context: {} });
      const read = { code: "return { mark: globalThis.mark ?? null };", vars: {}, context: {} };
      assert.deepEqual(await mine.run(read), { mark: "mine" });
      assert.deepEqual(await theirs.run(read), { mark: null });
      assert.deepEqual(await mine.run(read), { mark: null });
    } finally {
      await mine.close();
      await theirs.close();
      await runner.close();
    }
  });

  it("a closed session rejects its later jobs with a CancelError", async () => {
    const runner = createJsRunner(detectRuntime(), { size: 1 });
    const session = runner.session();
    await session.close();
    await assert.rejects(
      session.run({ code: "return {};", vars: {}, context: {} }),
      { name: "CancelError", message: /session is closed/ },
    );
    await runner.close();
  });
});
