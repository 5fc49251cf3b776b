/**
 * One PostgreSQL database shared by separate processes: `workflow run` records a run that
 * `workflow runs`, `workflow logs` and a `workflow serve` started elsewhere all see, and a run
 * started through that server is seen by the CLI, with nothing but `WORKFLOW_STORE_URL` set.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { cliCommand } from "../_helpers.ts";
import { type TestDatabase, testDatabase } from "../_postgres.ts";

const root = new URL("../..", import.meta.url).pathname;
const CONF = `${root}conf`;
const command = cliCommand();

function environment(db: TestDatabase): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith("WORKFLOW_")) env[name] = value;
  }
  return { ...env, NO_COLOR: "1", WORKFLOW_STORE_URL: db.url, WORKFLOW_API_TOKEN: "" };
}

/** Runs the CLI in its own process and collects what it prints. */
function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], [...command.slice(1), ...args], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => stdout += chunk);
    child.stderr.on("data", (chunk) => stderr += chunk);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `workflow serve` in its own process; resolves with its base URL once it listens. */
function serve(env: Record<string, string>) {
  const child = spawn(command[0], [...command.slice(1), "serve", "--port", "0", "--conf", CONF], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const base = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/[^/\s]+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.stderr.on("data", (chunk) => err += chunk);
    exited.then((code) => reject(new Error(`serve exited (${code}) early: ${err}`)));
  });
  return {
    base,
    async stop() {
      child.kill("SIGTERM");
      return await exited;
    },
  };
}

describe("PostgreSQL stores across processes", () => {
  let db: TestDatabase;
  before(async () => db = await testDatabase());
  after(() => db.drop());

  it("workflow run, runs, logs and serve share one database through WORKFLOW_STORE_URL", async () => {
    const env = environment(db);
    const ran = await cli(["run", "demo-hello", "-p", "name=ann", "--json", "--conf", CONF], env);
    assert.equal(ran.code, 0, ran.stderr);
    const runId = JSON.parse(ran.stdout).run_id as string;

    const runs = await cli(["runs", "--json", "--conf", CONF], env);
    assert.equal(runs.code, 0, runs.stderr);
    const listed = JSON.parse(runs.stdout) as { run_id: string; status: string }[];
    assert.deepEqual(
      listed.map((run) => [run.run_id, run.status]),
      [[runId, "SUCCESS"]],
    );

    const logs = await cli(["logs", runId, "--conf", CONF], env);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, new RegExp(`\\(${runId}\\) \\[WORKFLOW\\]: Start`));
    assert.match(logs.stdout, /End 'demo-hello' SUCCESS/);

    const server = serve(env);
    try {
      const base = await server.base;
      const page = await (await fetch(`${base}/api/v1/runs`)).json();
      assert.deepEqual(
        page.runs.map((run: { run_id: string }) => run.run_id),
        [runId],
        "the server lists the run another process recorded",
      );
      const traces = await fetch(`${base}/api/v1/runs/${runId}/traces`);
      assert.equal(traces.status, 200);
      assert.match(await traces.text(), /End 'demo-hello' SUCCESS/);

      const executed = await fetch(`${base}/api/v1/workflows/demo-hello/execute`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ params: { name: "bob" } }),
      });
      assert.equal(executed.status, 200);
      const served = (await executed.json()).run_id as string;

      const again = await cli(["runs", "--json", "--conf", CONF], env);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(
        (JSON.parse(again.stdout) as { run_id: string }[]).map((run) => run.run_id).sort(),
        [runId, served].sort(),
        "the CLI lists the run the server recorded",
      );
    } finally {
      await server.stop();
    }
  });

  it("an unreachable store is a clear start-up error with the password hidden", async () => {
    const url = new URL(db.url);
    url.port = "1";
    url.password = "Do-Not-Print-77";
    const env = { ...environment(db), WORKFLOW_STORE_URL: url.href };
    const ran = await cli(["runs", "--conf", CONF], env);
    assert.notEqual(ran.code, 0);
    assert.match(ran.stderr, /WORKFLOW_STORE_URL: cannot open the PostgreSQL store at/);
    assert.match(ran.stderr, /connection refused/);
    assert.doesNotMatch(ran.stdout + ran.stderr, /Do-Not-Print-77/);
  });
});
