/**
 * `workflow serve` killed with SIGKILL in the middle of a 3-job run: on restart the run is
 * recovered from its run record and ends SUCCESS, and the job that had finished does not run
 * again. With WORKFLOW_CORE_RECOVER=fail the orphan ends FAILED "owner process ended".
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CliProcess, kill, lines, startCli, waitFor } from "./_process.ts";
import { processAlive } from "../_helpers.ts";

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "wf-kill-")).replaceAll("\\", "/");
  mkdirSync(`${dir}/conf`);
  const marks = `${dir}/marks`;
  const step = (name: string) => `echo ${name} >> ${marks}`;
  writeFileSync(
    `${dir}/conf/three.yml`,
    `three:
  type: Workflow
  jobs:
    first:
      stages:
        - name: mark
          bash: '${step("first")}'
    second:
      needs: [first]
      stages:
        - name: wait for go
          bash: 'echo $$$$ > ${dir}/second.pid; ${
      step("second-start")
    }; while [ ! -f ${dir}/go ]; do sleep 0.05; done; ${step("second")}'
    third:
      needs: [second]
      stages:
        - name: mark
          bash: '${step("third")}'
`,
  );
  const env = {
    WORKFLOW_LOG_RUN_ENABLE_WRITE: "true",
    WORKFLOW_LOG_RUN_PATH: `${dir}/runs`,
    WORKFLOW_LOG_TRACE_ENABLE_WRITE: "true",
    WORKFLOW_LOG_TRACE_PATH: `${dir}/logs`,
  };
  return { dir, marks, env, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function startServe(dir: string, env: Record<string, string>) {
  const server = startCli(["serve", "--port", "0", "--conf", `${dir}/conf`], env);
  let url = "";
  await waitFor(
    "serve to listen",
    () => {
      url = /listening on (http:\/\/\S+?)\/api\/v1\//.exec(server.output())?.[1] ?? "";
      return url !== "";
    },
    20_000,
    server.output,
  );
  return { server, url };
}

function runRecord(dir: string, runId: string) {
  return JSON.parse(readFileSync(`${dir}/runs/${runId}/run.json`, "utf8")) as {
    state: string;
    status?: string;
    reason?: string;
    attempt: number;
    jobs: Record<string, { status: string }>;
  };
}

/** Starts a run of `three` through `serve`, waits until `second` runs, then SIGKILLs serve. */
async function killDuringSecondJob(dir: string, marks: string, env: Record<string, string>) {
  const { server, url } = await startServe(dir, env);
  let runId = "";
  try {
    const response = await fetch(`${url}/api/v1/workflows/three/execute`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ async: true }),
    });
    assert.equal(response.status, 202, await response.clone().text());
    runId = ((await response.json()) as { run_id: string }).run_id;
    await waitFor("the second job to start", () => lines(marks).includes("second-start"), 20_000);
    // The first job's checkpoint is written before the second job starts.
    assert.equal(runRecord(dir, runId).jobs.first?.status, "SUCCESS");
  } finally {
    kill(server.child.pid!);
    await server.exited;
  }
  // The stage's shell is in its own process group and outlives serve: end it as a reboot would.
  const stagePid = Number(readFileSync(`${dir}/second.pid`, "utf8").trim());
  assert.ok(Number.isInteger(stagePid) && stagePid > 1, `stage pid: ${stagePid}`);
  kill(stagePid, true);
  await waitFor("the stage's shell to end", () => !processAlive(stagePid), 5_000);
  const orphan = runRecord(dir, runId);
  assert.equal(orphan.state, "running", "killed: nobody ended the record");
  assert.equal(orphan.attempt, 1);
  return runId;
}

async function stop(server: CliProcess) {
  server.child.kill("SIGTERM");
  const code = await Promise.race([
    server.exited,
    new Promise((resolve) => setTimeout(() => resolve("timeout"), 15_000)),
  ]);
  if (code === "timeout") kill(server.child.pid!);
  assert.match(server.output(), /stopped\n/, "a graceful stop");
  return code;
}

describe("workflow serve killed with SIGKILL during a run", { timeout: 90_000 }, () => {
  it("resumes the run on restart: it ends SUCCESS and the finished job does not run again", async () => {
    const { dir, marks, env, remove } = setup();
    try {
      const runId = await killDuringSecondJob(dir, marks, env);
      writeFileSync(`${dir}/go`, "");
      const { server, url } = await startServe(dir, env);
      try {
        assert.match(
          server.output(),
          new RegExp(
            `recovered run ${runId} \\(three\\) of \\S+: resuming as attempt 2, keeping first`,
          ),
        );
        await waitFor(
          "the recovered run to end",
          () => server.output().includes(`recovered run ${runId} ended`),
          30_000,
          server.output,
        );
        assert.match(server.output(), new RegExp(`recovered run ${runId} ended SUCCESS`));
        assert.deepEqual(lines(marks), [
          "first",
          "second-start",
          "second-start",
          "second",
          "third",
        ]);
        const record = runRecord(dir, runId);
        assert.equal(record.state, "ended");
        assert.equal(record.status, "SUCCESS");
        assert.equal(record.attempt, 2);
        // The API (reading the trace store) shows the run ended, not running.
        const status = await fetch(`${url}/api/v1/runs/${runId}`).then((r) => r.json()) as {
          status: string;
        };
        assert.equal(status.status, "SUCCESS");
      } finally {
        assert.notEqual(await stop(server), "timeout", server.output());
      }
    } finally {
      remove();
    }
  });

  it("with WORKFLOW_CORE_RECOVER=fail ends the orphan FAILED: owner process ended", async () => {
    const { dir, marks, env, remove } = setup();
    try {
      const runId = await killDuringSecondJob(dir, marks, env);
      const { server, url } = await startServe(dir, { ...env, WORKFLOW_CORE_RECOVER: "fail" });
      try {
        assert.match(
          server.output(),
          new RegExp(`recovered run ${runId} .*ended FAILED \\(owner process ended\\)`),
        );
        const record = runRecord(dir, runId);
        assert.equal(record.state, "ended");
        assert.equal(record.status, "FAILED");
        assert.equal(record.reason, "owner process ended");
        assert.deepEqual(lines(marks), ["first", "second-start"], "nothing ran again");
        const status = await fetch(`${url}/api/v1/runs/${runId}`).then((r) => r.json()) as {
          status: string;
        };
        assert.equal(status.status, "FAILED");
      } finally {
        assert.notEqual(await stop(server), "timeout", server.output());
      }
    } finally {
      remove();
    }
  });
});
